/**
 * The SAM encoder graph on the paths the tiny reference checkpoint does not reach: a patch grid that is
 * not a multiple of the window (6×6 grid, window 4: zero padding after the norm, windows over the
 * padded grid, crop), relative-position tables trained at another size (linear interpolation) and
 * attention computed in chunks of query rows.
 * Checked against a direct, loop-by-loop evaluation of Hugging Face's SamVisionEncoder written here,
 * on random weights stored in a safetensors file made by the test.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { readSamConfig } from '../../model-host/convert/deepseek-vl/sam-config';
import { buildSamEncoder } from '../../model-host/convert/deepseek-vl/sam-graph';
import { Weights } from '../../model-host/convert/deepseek-vl/weights';
import { openCheckpoint } from '../../model-host/formats/safetensors';
import { DataType, GraphBuilder } from '../../model-host/convert/onnx/graph-builder';

const work = mkdtempSync(path.join(tmpdir(), 'sam-ref-'));
after(() => rmSync(work, { recursive: true, force: true }));

const P = 'model.high_res_vision_model.vision_encoder.';
const D = 16;
const HEADS = 2;
const HD = D / HEADS;
const OUT = 8;
const MLP = 24;
const G = 6; // 96 px / 16
const WIN = 4;
const GLOBAL = 1;
const TABLE = { windowed: 7, global: 9 }; // the global table is shorter than 2·6−1 = 11: interpolated

let seed = 11;
const rand = (s = 0.5) => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 2 * s;
const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
const param = (name: string, shape: number[], s = 0.5, base = 0) => {
  const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => base + rand(s));
  tensors.set(P + name, { shape, data });
  return data;
};

const W = {
  patchW: param('patch_embed.projection.weight', [D, 3, 16, 16], 0.05),
  patchB: param('patch_embed.projection.bias', [D]),
  pos: param('pos_embed', [1, G, G, D]),
  layers: [0, 1].map((i) => {
    const len = i === GLOBAL ? TABLE.global : TABLE.windowed;
    return {
      ln1w: param(`layers.${i}.layer_norm1.weight`, [D], 0.2, 1),
      ln1b: param(`layers.${i}.layer_norm1.bias`, [D], 0.2),
      qkvW: param(`layers.${i}.attn.qkv.weight`, [3 * D, D], 0.4),
      qkvB: param(`layers.${i}.attn.qkv.bias`, [3 * D], 0.2),
      projW: param(`layers.${i}.attn.proj.weight`, [D, D], 0.4),
      projB: param(`layers.${i}.attn.proj.bias`, [D], 0.2),
      relH: param(`layers.${i}.attn.rel_pos_h`, [len, HD], 0.5),
      relW: param(`layers.${i}.attn.rel_pos_w`, [len, HD], 0.5),
      ln2w: param(`layers.${i}.layer_norm2.weight`, [D], 0.2, 1),
      ln2b: param(`layers.${i}.layer_norm2.bias`, [D], 0.2),
      lin1W: param(`layers.${i}.mlp.lin1.weight`, [MLP, D], 0.4),
      lin1B: param(`layers.${i}.mlp.lin1.bias`, [MLP], 0.2),
      lin2W: param(`layers.${i}.mlp.lin2.weight`, [D, MLP], 0.4),
      lin2B: param(`layers.${i}.mlp.lin2.bias`, [D], 0.2),
    };
  }),
  neckC1: param('neck.conv1.weight', [OUT, D, 1, 1], 0.4),
  neckLn1w: param('neck.layer_norm1.weight', [OUT], 0.2, 1),
  neckLn1b: param('neck.layer_norm1.bias', [OUT], 0.2),
  neckC2: param('neck.conv2.weight', [OUT, OUT, 3, 3], 0.3),
  neckLn2w: param('neck.layer_norm2.weight', [OUT], 0.2, 1),
  neckLn2b: param('neck.layer_norm2.bias', [OUT], 0.2),
};

function writeSafetensors(file: string): void {
  const header: Record<string, unknown> = {};
  let offset = 0;
  const parts: Buffer[] = [];
  for (const [name, t] of tensors) {
    const bytes = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    offset += bytes.length;
    parts.push(bytes);
  }
  let json = Buffer.from(JSON.stringify(header));
  json = Buffer.concat([json, Buffer.alloc((8 - (json.length % 8)) % 8, 0x20)]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(file, Buffer.concat([len, json, ...parts]));
}

// ---- the reference, loop by loop ---------------------------------------------------------------

type Grid = Float64Array[][]; // [y][x] → vector

function erf(x: number): number {
  // Abramowitz & Stegun 7.1.26 is not precise enough for 1e-5; integrate the series instead.
  let sum = x;
  let term = x;
  for (let n = 1; n < 60; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
const gelu = (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2));

function layerNorm(v: Float64Array, w: Float32Array, b: Float32Array): Float64Array {
  const n = v.length;
  const mean = v.reduce((a, c) => a + c, 0) / n;
  const varc = v.reduce((a, c) => a + (c - mean) ** 2, 0) / n;
  return v.map((c, i) => ((c - mean) / Math.sqrt(varc + 1e-6)) * w[i] + b[i]);
}

function linear(v: Float64Array, w: Float32Array, b: Float32Array | undefined, out: number): Float64Array {
  const r = new Float64Array(out);
  for (let o = 0; o < out; o++) {
    let acc = b ? b[o] : 0;
    for (let i = 0; i < v.length; i++) acc += w[o * v.length + i] * v[i];
    r[o] = acc;
  }
  return r;
}

/** rel_pos table resized like F.interpolate(mode='linear', align_corners=False) to `len` rows. */
function resizedTable(table: Float32Array, rows: number, len: number): (r: number, c: number) => number {
  return (r, c) => {
    if (rows === len) return table[r * HD + c];
    const src = Math.max(0, ((r + 0.5) * rows) / len - 0.5);
    const lo = Math.floor(src);
    const hi = Math.min(lo + 1, rows - 1);
    return table[lo * HD + c] * (1 - (src - lo)) + table[hi * HD + c] * (src - lo);
  };
}

/** Attention of one square window (side S) of token vectors, as SamVisionAttention computes it. */
function windowAttention(tokens: Float64Array[], S: number, L: (typeof W.layers)[number]): Float64Array[] {
  const qkv = tokens.map((t) => linear(t, L.qkvW, L.qkvB, 3 * D));
  const rows = L.relH.length / HD;
  const rh = resizedTable(L.relH, rows, 2 * S - 1);
  const rw = resizedTable(L.relW, rows, 2 * S - 1);
  const out = tokens.map(() => new Float64Array(D));
  for (let h = 0; h < HEADS; h++) {
    for (let i = 0; i < S * S; i++) {
      const q = qkv[i].subarray(h * HD, (h + 1) * HD);
      const [qy, qx] = [Math.floor(i / S), i % S];
      const scores = new Float64Array(S * S);
      for (let j = 0; j < S * S; j++) {
        const k = qkv[j].subarray(D + h * HD, D + (h + 1) * HD);
        const [ky, kx] = [Math.floor(j / S), j % S];
        let s = 0;
        for (let c = 0; c < HD; c++) s += q[c] * HD ** -0.5 * k[c] + q[c] * rh(qy - ky + S - 1, c) + q[c] * rw(qx - kx + S - 1, c);
        scores[j] = s;
      }
      const m = Math.max(...scores);
      const e = scores.map((s) => Math.exp(s - m));
      const z = e.reduce((a, b) => a + b, 0);
      for (let j = 0; j < S * S; j++) {
        const v = qkv[j].subarray(2 * D + h * HD, 2 * D + (h + 1) * HD);
        for (let c = 0; c < HD; c++) out[i][h * HD + c] += (e[j] / z) * v[c];
      }
    }
  }
  return out.map((o) => linear(o, L.projW, L.projB, D));
}

function referenceEncoder(pixels: Float32Array): { neck: Float64Array; globalState: Grid } {
  let x: Grid = [];
  for (let py = 0; py < G; py++) {
    x.push([]);
    for (let px = 0; px < G; px++) {
      const v = new Float64Array(D);
      for (let d = 0; d < D; d++) {
        let acc = W.patchB[d];
        for (let c = 0; c < 3; c++) {
          for (let ky = 0; ky < 16; ky++) {
            for (let kx = 0; kx < 16; kx++) acc += W.patchW[((d * 3 + c) * 16 + ky) * 16 + kx] * pixels[(c * 96 + py * 16 + ky) * 96 + px * 16 + kx];
          }
        }
        v[d] = acc + W.pos[(py * G + px) * D + d];
      }
      x[py].push(v);
    }
  }
  let globalState: Grid = [];
  W.layers.forEach((L, li) => {
    const normed = x.map((row) => row.map((v) => layerNorm(v, L.ln1w, L.ln1b)));
    const attn: Grid = x.map((row) => row.map(() => new Float64Array(D)));
    if (li === GLOBAL) {
      const out = windowAttention(normed.flat(), G, L);
      out.forEach((v, i) => (attn[Math.floor(i / G)][i % G] = v));
    } else {
      const padded = Math.ceil(G / WIN) * WIN;
      const at = (y: number, xx: number) => (y < G && xx < G ? normed[y][xx] : new Float64Array(D));
      for (let wy = 0; wy < padded; wy += WIN) {
        for (let wx = 0; wx < padded; wx += WIN) {
          const tokens: Float64Array[] = [];
          for (let y = 0; y < WIN; y++) for (let xx = 0; xx < WIN; xx++) tokens.push(at(wy + y, wx + xx));
          windowAttention(tokens, WIN, L).forEach((v, i) => {
            const [y, xx] = [wy + Math.floor(i / WIN), wx + (i % WIN)];
            if (y < G && xx < G) attn[y][xx] = v;
          });
        }
      }
    }
    x = x.map((row, y) =>
      row.map((v, xx) => {
        const r = v.map((c, d) => c + attn[y][xx][d]);
        const hidden = linear(layerNorm(r, L.ln2w, L.ln2b), L.lin1W, L.lin1B, MLP).map(gelu);
        const m = linear(hidden, L.lin2W, L.lin2B, D);
        return r.map((c, d) => c + m[d]);
      }),
    );
    if (li === GLOBAL) globalState = x;
  });
  const c1 = x.map((row) => row.map((v) => layerNorm(linear(v, W.neckC1, undefined, OUT), W.neckLn1w, W.neckLn1b)));
  const neck = new Float64Array(OUT * G * G);
  for (let y = 0; y < G; y++) {
    for (let xx = 0; xx < G; xx++) {
      const v = new Float64Array(OUT);
      for (let o = 0; o < OUT; o++) {
        let acc = 0;
        for (let c = 0; c < OUT; c++) {
          for (let dy = -1; dy <= 1; dy++) {
            for (let dx = -1; dx <= 1; dx++) {
              const yy = y + dy;
              const xs = xx + dx;
              if (yy >= 0 && yy < G && xs >= 0 && xs < G) acc += W.neckC2[((o * OUT + c) * 3 + dy + 1) * 3 + dx + 1] * c1[yy][xs][c];
            }
          }
        }
        v[o] = acc;
      }
      layerNorm(v, W.neckLn2w, W.neckLn2b).forEach((val, o) => (neck[(o * G + y) * G + xx] = val));
    }
  }
  return { neck, globalState };
}

test('SAM encoder graph = direct evaluation with window padding and interpolated rel-pos tables', async () => {
  writeSafetensors(path.join(work, 'model.safetensors'));
  const sam = readSamConfig({
    image_size: 96,
    patch_size: 16,
    hidden_size: D,
    output_channels: OUT,
    num_hidden_layers: 2,
    num_attention_heads: HEADS,
    mlp_dim: MLP,
    window_size: WIN,
    global_attn_indexes: [GLOBAL],
    hidden_act: 'gelu',
    layer_norm_eps: 1e-6,
  });
  // Force query chunking on this small grid: 12 queries → 2 rows of the 6×6 global grid per chunk,
  // 3 rows of a 4×4 window (a chunk of 3 rows and a remainder of 1).
  sam.maxQueriesPerChunk = 12;
  const file = path.join(work, 'sam.onnx');
  const g = new GraphBuilder('sam', `${file}_data`);
  const px = g.input('pixels', DataType.FLOAT, [1, 3, 96, 96]);
  const enc = buildSamEncoder(g, new Weights(openCheckpoint(work), g), sam, px);
  g.output('neck', DataType.FLOAT, [1, OUT, G, G], enc.lastHiddenState);
  g.output('global', DataType.FLOAT, [1, G, G, D], enc.firstGlobalHiddenState);
  g.save(file);

  const pixels = Float32Array.from({ length: 3 * 96 * 96 }, () => rand(1));
  const session = await ort.InferenceSession.create(file);
  const out = await session.run({ pixels: new ort.Tensor('float32', pixels, [1, 3, 96, 96]) });
  const ref = referenceEncoder(pixels);
  const got = out.neck.data as Float32Array;
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - ref.neck[i]));
  assert.ok(worst < 1e-4, `neck output max |diff| ${worst}`);
  const gs = out.global.data as Float32Array;
  let worstGlobal = 0;
  for (let y = 0; y < G; y++) {
    for (let x = 0; x < G; x++) for (let d = 0; d < D; d++) worstGlobal = Math.max(worstGlobal, Math.abs(gs[(y * G + x) * D + d] - ref.globalState[y][x][d]));
  }
  assert.ok(worstGlobal < 1e-4, `first global layer max |diff| ${worstGlobal}`);
  await session.release();
});
