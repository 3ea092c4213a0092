/**
 * The SAM ViT-B image encoder (ViTDet style) of DeepSeek-VL-7B's high-resolution branch, as plain ONNX ops,
 * following Hugging Face's `SamVisionEncoder`:
 *
 * patch Conv → channels-last [B, G, G, D] + absolute position embedding → per layer:
 * LayerNorm → (windowed: zero-pad to a multiple of the window *after* the norm, partition into windows)
 * → attention with decomposed relative positions → (unpartition, crop) → residual → LayerNorm → MLP → residual.
 * Layers listed in `global_attn_indexes` attend over the whole grid. The encoder ends with its neck
 * (1×1 conv, LayerNorm2d, 3×3 conv, LayerNorm2d), giving [B, out_channels, G, G].
 *
 * Everything is laid out for static image sizes: the relative-position lookups `R[q, k, :]` are
 * gathered (and interpolated when the table was trained at another size) at conversion time and
 * stored as constants, so the graph only does MatMuls and Adds.
 */
import type { GraphBuilder } from '../onnx/graph-builder';
import { geluErf, geluTanh, layerNorm } from './siglip-graph';
import { SAM_PREFIX, samGrid, type SamConfig } from './sam-config';
import type { Weights } from './weights';

/** `F.interpolate(table[None].permute(0,2,1), size=len, mode='linear', align_corners=False)`, back to [len, C]. */
export function resizeRelPosTable(table: Float32Array, rows: number, cols: number, len: number): Float32Array {
  if (rows === len) return table;
  const out = new Float32Array(len * cols);
  const scale = rows / len;
  for (let i = 0; i < len; i++) {
    const src = Math.max((i + 0.5) * scale - 0.5, 0);
    const i0 = Math.min(Math.floor(src), rows - 1);
    const i1 = Math.min(i0 + 1, rows - 1);
    const t = src - i0;
    for (let c = 0; c < cols; c++) out[i * cols + c] = (1 - t) * table[i0 * cols + c] + t * table[i1 * cols + c];
  }
  return out;
}

/**
 * For a square attention window of side `size` (queries and keys on the same grid), the lookup
 * `R[q, k, :] = table[q - k + size - 1, :]`, stored transposed as [size(q), 1, C, size(k)] so that
 * `query_rows @ R` broadcasts over the batch of windows × heads.
 */
export function relPosLookupT(table: Float32Array, rows: number, cols: number, size: number): Float32Array {
  const len = 2 * size - 1;
  const t = resizeRelPosTable(table, rows, cols, len);
  const out = new Float32Array(size * cols * size);
  for (let q = 0; q < size; q++) {
    for (let k = 0; k < size; k++) {
      const r = q - k + size - 1;
      for (let c = 0; c < cols; c++) out[(q * cols + c) * size + k] = t[r * cols + c];
    }
  }
  return out;
}

/**
 * Queries per attention chunk. SAM-B's global layers attend over 4096 tokens with 12 heads: all query
 * rows at once make a 12×4096×4096 fp32 score tensor (805 MB) plus the rel-pos sum of the same size.
 * Chunking whole rows of the query grid keeps that to a quarter (softmax is per query row, so the
 * result is the same).
 */
export const DEFAULT_MAX_QUERIES_PER_CHUNK = 1024;

/** Multi-head attention over windows [B', S, S, D] with SAM's decomposed relative positions. */
function samAttention(g: GraphBuilder, w: Weights, x: string, prefix: string, cfg: SamConfig, size: number): string {
  const D = cfg.hiddenSize;
  const nH = cfg.numHeads;
  const hd = D / nH;
  const N = size * size;
  let qkv = g.matmul(x, w.linear(`${prefix}.qkv.weight`));
  if (cfg.qkvBias) qkv = g.add(qkv, w.raw(`${prefix}.qkv.bias`));
  // [B', S, S, 3D] → [3, B'·nH, N, hd], the layout of HF's qkv.reshape(...).permute(2, 0, 3, 1, 4)
  const heads = g.reshape(g.transpose(g.reshape(qkv, [-1, N, 3, nH, hd]), [2, 0, 3, 1, 4]), [3, -1, N, hd]);
  const pick = (i: number) => g.op1('Gather', [heads, g.constI64([i], [])], { axis: 0 });
  const q = pick(0);
  const kT = g.transpose(pick(1), [0, 2, 1]);
  const v = pick(2);
  let lookupH = '';
  let lookupW = '';
  if (cfg.useRelPos) {
    const lookup = (name: string) => {
      const info = w.ckpt.get(name);
      const [rows, cols] = info.shape;
      return g.initializer(`${name}.lookup`, relPosLookupT(w.ckpt.readF32(name), rows, cols, size), [size, 1, cols, size]);
    };
    lookupH = lookup(`${prefix}.rel_pos_h`);
    lookupW = lookup(`${prefix}.rel_pos_w`);
  }
  const rowsPerChunk = Math.max(1, Math.floor((cfg.maxQueriesPerChunk ?? DEFAULT_MAX_QUERIES_PER_CHUNK) / size));
  const chunks: string[] = [];
  for (let r0 = 0; r0 < size; r0 += rowsPerChunk) {
    const rows = Math.min(rowsPerChunk, size - r0);
    const slice = (t: string, axis: number, from: number, to: number) =>
      rows === size ? t : g.op1('Slice', [t, g.constI64([from]), g.constI64([to]), g.constI64([axis])]);
    // Query grid rows r0 .. r0+rows (all columns): [B'', rows·S, hd]
    const qc = slice(q, 1, r0 * size, (r0 + rows) * size);
    let scores = g.matmul(g.mul(qc, g.scalarF(hd ** -0.5)), kT);
    if (cfg.useRelPos) {
      // Unscaled queries on the grid: [B'', rows, qw, hd]
      const rq = g.reshape(qc, [-1, rows, size, hd]);
      // rel_h[b, qh, qw, kh] = Σc rq[b, qh, qw, c] · Rh[qh, kh, c]
      const relH = g.transpose(g.matmul(g.transpose(rq, [1, 0, 2, 3]), slice(lookupH, 0, r0, r0 + rows)), [1, 0, 2, 3]);
      // rel_w[b, qh, qw, kw] = Σc rq[b, qh, qw, c] · Rw[qw, kw, c]
      const relW = g.transpose(g.matmul(g.transpose(rq, [2, 0, 1, 3]), lookupW), [1, 2, 0, 3]);
      const grid = g.reshape(scores, [-1, rows, size, size, size]);
      const biased = g.add(g.add(grid, g.unsqueeze(relH, [4])), g.unsqueeze(relW, [3]));
      scores = g.reshape(biased, [-1, rows * size, N]);
    }
    chunks.push(g.matmul(g.op1('Softmax', [scores], { axis: -1 }), v));
  }
  const out = chunks.length === 1 ? chunks[0] : g.op1('Concat', chunks, { axis: 1 });
  const ctx = g.reshape(g.transpose(g.reshape(out, [-1, nH, size, size, hd]), [0, 2, 3, 1, 4]), [-1, size, size, D]);
  return w.applyLinear(ctx, `${prefix}.proj`, true);
}

/** One encoder layer on [B, G, G, D]; `window` 0 means global attention. */
function samLayer(g: GraphBuilder, w: Weights, x: string, prefix: string, cfg: SamConfig, window: number): string {
  const G = samGrid(cfg);
  const D = cfg.hiddenSize;
  let h = layerNorm(g, w, x, `${prefix}.layer_norm1`, cfg.layerNormEps);
  if (window > 0) {
    const padded = Math.ceil(G / window) * window;
    if (padded !== G) {
      // Zeros after the norm, exactly like F.pad in window_partition (the padded keys are not masked).
      h = g.op1('Pad', [h, g.constI64([0, 0, 0, 0, 0, padded - G, padded - G, 0])], { mode: 'constant' });
    }
    const n = padded / window;
    h = g.reshape(g.transpose(g.reshape(h, [-1, n, window, n, window, D]), [0, 1, 3, 2, 4, 5]), [-1, window, window, D]);
    h = samAttention(g, w, h, `${prefix}.attn`, cfg, window);
    h = g.reshape(g.transpose(g.reshape(h, [-1, n, n, window, window, D]), [0, 1, 3, 2, 4, 5]), [-1, padded, padded, D]);
    if (padded !== G) h = g.op1('Slice', [h, g.constI64([0, 0]), g.constI64([G, G]), g.constI64([1, 2])]);
  } else {
    h = samAttention(g, w, h, `${prefix}.attn`, cfg, G);
  }
  const x1 = g.add(x, h);
  const act = cfg.hiddenAct === 'gelu' ? geluErf : geluTanh;
  const m = w.applyLinear(
    act(g, w.applyLinear(layerNorm(g, w, x1, `${prefix}.layer_norm2`, cfg.layerNormEps), `${prefix}.mlp.lin1`, true)),
    `${prefix}.mlp.lin2`,
    true,
  );
  return g.add(x1, m);
}

/** LayerNorm over the channels of an NCHW tensor (HF's channels_first LayerNorm; eps 1e-6 in both necks). */
export function layerNorm2d(g: GraphBuilder, w: Weights, x: string, prefix: string): string {
  return g.transpose(layerNorm(g, w, g.transpose(x, [0, 2, 3, 1]), prefix, 1e-6), [0, 3, 1, 2]);
}

/** SAM neck: [B, G, G, D] (channels last) → [B, out, G, G]. Used for the encoder's own neck and the hybrid's global neck. */
export function samNeck(g: GraphBuilder, w: Weights, x: string, prefix: string): string {
  let h = g.op1('Conv', [g.transpose(x, [0, 3, 1, 2]), w.raw(`${prefix}conv1.weight`)], { kernel_shape: [1, 1] });
  h = layerNorm2d(g, w, h, `${prefix}layer_norm1`);
  h = g.op1('Conv', [h, w.raw(`${prefix}conv2.weight`)], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
  return layerNorm2d(g, w, h, `${prefix}layer_norm2`);
}

export interface SamEncoderOutputs {
  /** After the encoder's neck: [B, out_channels, G, G]. */
  lastHiddenState: string;
  /** Output of the first global-attention layer, channels last [B, G, G, D] (HF `hidden_states[index + 1]`). */
  firstGlobalHiddenState: string;
}

/** Adds the SAM encoder reading `pixels` [B, C, image, image]. */
export function buildSamEncoder(g: GraphBuilder, w: Weights, cfg: SamConfig, pixels: string, prefix = SAM_PREFIX): SamEncoderOutputs {
  const p = cfg.patchSize;
  const conv = g.op1('Conv', [pixels, w.raw(`${prefix}patch_embed.projection.weight`), w.raw(`${prefix}patch_embed.projection.bias`)], {
    kernel_shape: [p, p],
    strides: [p, p],
  });
  let x = g.transpose(conv, [0, 2, 3, 1]);
  if (cfg.useAbsPos) x = g.add(x, w.raw(`${prefix}pos_embed`));
  // HF takes global_attn_indexes[0] (not the smallest), so do we.
  const firstGlobal = cfg.globalAttnIndexes[0];
  let globalState = '';
  for (let i = 0; i < cfg.numLayers; i++) {
    const window = cfg.globalAttnIndexes.includes(i) ? 0 : cfg.windowSize;
    x = samLayer(g, w, x, `${prefix}layers.${i}`, cfg, window);
    if (i === firstGlobal) globalState = x;
  }
  return { lastHiddenState: samNeck(g, w, x, `${prefix}neck.`), firstGlobalHiddenState: globalState };
}
