/**
 * The decoder the runtime uses for speed (`kv-rows` contract): one session run per token, nothing
 * large crossing the JavaScript boundary, ONNX Runtime's fused kernels.
 *
 * Why this contract: on the CPU, onnxruntime-node copies every input into its own buffer and every
 * fetched output into a new JavaScript buffer on each run, so a decoder whose whole KV cache goes out
 * (`present.*`) and back in moves it twice per layer and token. There the cache lives in the engine
 * (`engines/deepseek-vl/kv-cache.ts`); the graph takes it as `past_key_values.*` (BNSH with spare
 * capacity: `seqlens_k` says how much is valid) and the engine fetches only the rows it adds
 * (`present_rows.*`, [1, S, kv_heads · head_dim], already rotated). GPU folders also output
 * `present.*`, which the engine fetches on WebGPU as GPU buffers and feeds back: the cache never
 * leaves the device.
 *
 * Inside: token embeddings gathered in the graph (GatherBlockQuantized over a 4-bit table, or
 * Gather), image features scattered into them at `image_positions` (none at decode steps); per layer
 * q/k/v as one projection, rotary embedding (`com.microsoft.RotaryEmbedding`, the reference's
 * float32 angles), `GroupQueryAttention` over the cache, `SkipSimplifiedLayerNormalization` for the
 * residual adds and RMSNorms, gate/up as one projection; lm_head over the last `num_logits_to_keep`
 * positions. Projections are `MatMulNBits` (4 bits, block 32; accuracy_level 4 on CPU: int8
 * activations for the VNNI/dot-product kernels) or plain MatMul in fp32/fp16.
 *
 * dtypes: `fp32` (reference weights: proves the structure against transformers), `fp16`, `q4`
 * (fp32 activations: CPU), `q4f16` (fp16 activations: GPUs with shader-f16).
 */
import type { Checkpoint } from '../../formats/safetensors';
import { DataType, type DataTypeCode, type GraphBuilder } from '../onnx/graph-builder';
import { writeGraphFile } from '../onnx/graph-file';
import { float32ArrayToFloat16 } from '../dtypes/half';
import { DECODER, keepLastPositions, LOGITS_LENGTH } from './decoder-graph';
import { LM_HEAD, TEXT_PREFIX } from './expected-tensors';
import { ConvertError, type TextConfig } from './hf-config';
import { applyStackedLinear, embedTokens, type LinearFormat } from './linear-weights';
import { Weights } from './weights';
import { KV_ROWS } from '../../engines/deepseek-vl/kv-rows-contract';

export type FastDecoderDtype = 'fp32' | 'fp16' | 'q4' | 'q4f16';
export type KvDtype = 'fp16' | 'fp32';

const MS = 'com.microsoft';

export interface FastDecoderOptions {
  dtype: FastDecoderDtype;
  kvDtype: KvDtype;
  /** 4-bit block size along K. */
  blockSize: number;
  /** 4-bit without zero points. */
  symmetric: boolean;
  /**
   * Also output the whole cache (`present.*`) for GPU runtimes that keep it on the device. CPU folders
   * leave it out: ONNX Runtime keeps every graph output alive to the end of the run, so 48 whole
   * caches would sit in memory next to the one being built, while as inner tensors each layer's is
   * freed after its attention.
   */
  presentOutputs: boolean;
  /** MatMulNBits accuracy_level for q4 (default 4: int8 activations, the CPU's integer kernels). */
  accuracyLevel?: 0 | 4;
}

export function linearFormatOf(o: FastDecoderOptions): LinearFormat {
  return {
    bits: o.dtype === 'q4' || o.dtype === 'q4f16' ? 4 : 0,
    half: o.dtype === 'fp16' || o.dtype === 'q4f16',
    accuracyLevel: o.dtype === 'q4' ? (o.accuracyLevel ?? 4) : 0,
    blockSize: o.blockSize,
    symmetric: o.symmetric,
  };
}

/** cos/sin caches [max_positions, head_dim / 2], float32 angles as torch computes them. */
export function rotaryCaches(t: TextConfig): { cos: Float32Array; sin: Float32Array } {
  const half = t.headDim / 2;
  const P = t.maxPositionEmbeddings;
  const cos = new Float32Array(P * half);
  const sin = new Float32Array(P * half);
  for (let j = 0; j < half; j++) {
    const invFreq = Math.fround(1 / Math.pow(t.ropeTheta, (2 * j) / t.headDim));
    for (let p = 0; p < P; p++) {
      const angle = Math.fround(p * invFreq);
      cos[p * half + j] = Math.cos(angle);
      sin[p * half + j] = Math.sin(angle);
    }
  }
  return { cos, sin };
}

export function writeFastDecoder(
  ckpt: Checkpoint,
  t: TextConfig,
  tied: boolean,
  onnxDir: string,
  options: FastDecoderOptions,
  onLayer: (i: number) => void = () => undefined,
): void {
  const blocks = [t.hiddenSize, t.intermediateSize, t.numHeads * t.headDim];
  if (options.dtype.startsWith('q4') && blocks.some((k) => k % options.blockSize !== 0)) {
    throw new ConvertError(
      `the projections' inputs (${blocks.join(', ')}) are not multiples of the 4-bit block ${options.blockSize}; pass --q4-block 32 or --dtype fp16`,
    );
  }
  writeGraphFile(`${onnxDir}/${DECODER}`, DECODER, (g) => buildFastDecoder(g, ckpt, t, tied, options, onLayer));
}

function buildFastDecoder(g: GraphBuilder, ckpt: Checkpoint, t: TextConfig, tied: boolean, options: FastDecoderOptions, onLayer: (i: number) => void): void {
  const { kvDtype } = options;
  const format = linearFormatOf(options);
  const act: DataTypeCode = format.half ? DataType.FLOAT16 : DataType.FLOAT;
  const kvType: DataTypeCode = kvDtype === 'fp16' ? DataType.FLOAT16 : DataType.FLOAT;
  const H = t.hiddenSize;
  const qWidth = t.numHeads * t.headDim;
  const kvWidth = t.numKvHeads * t.headDim;
  const w = new Weights(ckpt, g);
  /** A norm weight in the activations' type. */
  const normWeight = (name: string) => {
    if (!format.half) return w.raw(name);
    return g.initializer(`${name}.f16`, float32ArrayToFloat16(ckpt.readF32(name)), ckpt.get(name).shape, DataType.FLOAT16);
  };
  const toType = (x: string, from: DataTypeCode, to: DataTypeCode) => (from === to ? x : g.cast(x, to));

  const ids = g.input(KV_ROWS.ids, DataType.INT64, [1, 'sequence_length']);
  const features = g.input(KV_ROWS.imageFeatures, DataType.FLOAT, ['num_image_tokens', H]);
  const imagePositions = g.input(KV_ROWS.imagePositions, DataType.INT64, ['num_image_tokens']);
  const positions = g.input(KV_ROWS.positions, DataType.INT64, [1, 'sequence_length']);
  const seqlensK = g.input(KV_ROWS.seqlensK, DataType.INT32, [1]);
  const total = g.input(KV_ROWS.total, DataType.INT32, []);

  // Embeddings with the image features written over the image placeholder positions.
  const tokens = embedTokens(g, ckpt, ids, `${TEXT_PREFIX}embed_tokens.weight`, format);
  const scattered = g.op1('ScatterND', [g.squeeze(tokens, [0]), g.unsqueeze(imagePositions, [1]), toType(features, DataType.FLOAT, act)]);
  const embeds = g.unsqueeze(scattered, [0]);

  const caches = rotaryCaches(t);
  const cache = (name: string, values: Float32Array) =>
    format.half
      ? g.initializer(name, float32ArrayToFloat16(values), [t.maxPositionEmbeddings, t.headDim / 2], DataType.FLOAT16)
      : g.initializer(name, values, [t.maxPositionEmbeddings, t.headDim / 2]);
  const cos = cache('rotary_cos_cache', caches.cos);
  const sin = cache('rotary_sin_cache', caches.sin);
  const rotate = (x: string, heads: number) => g.op('RotaryEmbedding', [x, positions, cos, sin], { interleaved: 0, num_heads: heads }, { domain: MS })[0];

  const eps = t.rmsNormEps;
  let residual = embeds;
  let normed = g.op1('SimplifiedLayerNormalization', [embeds, normWeight(`${TEXT_PREFIX}layers.0.input_layernorm.weight`)], { axis: -1, epsilon: eps });
  const skipNorm = (delta: string, weight: string): [string, string] => {
    const outs = g.op('SkipSimplifiedLayerNormalization', [delta, residual, normWeight(weight)], { epsilon: eps }, { outputs: 4, domain: MS });
    return [outs[0], outs[3]];
  };
  const kvDims = [1, t.numKvHeads, 'past_capacity', t.headDim];
  for (let i = 0; i < t.numLayers; i++) {
    const p = `${TEXT_PREFIX}layers.${i}`;
    const pastK = g.input(KV_ROWS.past(i, 'key'), kvType, kvDims);
    const pastV = g.input(KV_ROWS.past(i, 'value'), kvType, kvDims);
    const a = `${p}.self_attn`;
    const qkv = applyStackedLinear(g, ckpt, normed, [`${a}.q_proj.weight`, `${a}.k_proj.weight`, `${a}.v_proj.weight`], `${a}.qkv_proj`, format);
    const [q, k, v] = g.op('Split', [qkv, g.constI64([qWidth, kvWidth, kvWidth])], { axis: -1 }, { outputs: 3 });
    const qr = toType(rotate(q, t.numHeads), act, kvType);
    const kr = toType(rotate(k, t.numKvHeads), act, kvType);
    const v2 = toType(v, act, kvType);
    g.output(KV_ROWS.rows(i, 'key'), kvType, [1, 'sequence_length', kvWidth], kr);
    g.output(KV_ROWS.rows(i, 'value'), kvType, [1, 'sequence_length', kvWidth], v2);
    const presentNames = options.presentOutputs ? [KV_ROWS.present(i, 'key'), KV_ROWS.present(i, 'value')] : [g.fresh('present_k'), g.fresh('present_v')];
    const [attn] = g.op(
      'GroupQueryAttention',
      [qr, kr, v2, pastK, pastV, seqlensK, total],
      { num_heads: t.numHeads, kv_num_heads: t.numKvHeads, do_rotary: 0 },
      { names: [g.fresh('attn'), ...presentNames], domain: MS },
    );
    if (options.presentOutputs) {
      // The whole cache, for runtimes that keep it on the device (WebGPU: fed back as the next past).
      for (const name of presentNames) g.output(name, kvType, [1, t.numKvHeads, 'present_length', t.headDim]);
    }
    const o = applyStackedLinear(g, ckpt, toType(attn, kvType, act), [`${a}.o_proj.weight`], `${a}.o_proj`, format);
    [normed, residual] = skipNorm(o, `${p}.post_attention_layernorm.weight`);
    const m = `${p}.mlp`;
    const gateUp = applyStackedLinear(g, ckpt, normed, [`${m}.gate_proj.weight`, `${m}.up_proj.weight`], `${m}.gate_up_proj`, format);
    const [gate, up] = g.op('Split', [gateUp, g.constI64([t.intermediateSize, t.intermediateSize])], { axis: -1 }, { outputs: 2 });
    const act2 = g.mul(g.mul(gate, g.op1('Sigmoid', [gate])), up);
    const down = applyStackedLinear(g, ckpt, act2, [`${m}.down_proj.weight`], `${m}.down_proj`, format);
    const nextNorm = i + 1 < t.numLayers ? `${TEXT_PREFIX}layers.${i + 1}.input_layernorm.weight` : `${TEXT_PREFIX}norm.weight`;
    [normed, residual] = skipNorm(down, nextNorm);
    onLayer(i);
  }
  const head = tied ? `${TEXT_PREFIX}embed_tokens.weight` : LM_HEAD;
  const logits = applyStackedLinear(g, ckpt, keepLastPositions(g, normed), [head], 'lm_head', format);
  g.output('logits', DataType.FLOAT, [1, LOGITS_LENGTH, t.vocabSize], toType(logits, act, DataType.FLOAT));
}
