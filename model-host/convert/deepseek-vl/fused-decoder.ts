/**
 * A decoder variant built from ONNX Runtime's fused contrib ops, with exactly the inputs and outputs of
 * the op-by-op `decoder_model_merged` (decoder-graph.ts, `num_logits_to_keep` included), so the runtime
 * drives either one:
 *
 * - `com.microsoft.GroupQueryAttention`: rotary embedding (non-interleaved, from cos/sin caches),
 *   causal attention over past + new keys, KV cache in [batch, kv_heads, seq, head_dim] (BNSH) with
 *   `present.*` returned for the next step; one kernel per layer instead of ~25.
 * - `SimplifiedLayerNormalization` (RMSNorm) before the first layer and
 *   `com.microsoft.SkipSimplifiedLayerNormalization` (residual add + RMSNorm in one kernel) after.
 *
 * Positions are derived by GroupQueryAttention from `attention_mask` (its row sum is the total length),
 * which equals `position_ids` for an unpadded single sequence, the runtime's case; `position_ids` stays
 * an input so the graph is interchangeable. The op-by-op graph remains the reference-exact baseline.
 */
import type { Checkpoint } from '../../formats/safetensors';
import { DataType } from '../onnx/graph-builder';
import { writeGraphFile } from '../onnx/graph-file';
import { DECODER, decoderInputs, keepLastPositions, LOGITS_LENGTH } from './decoder-graph';
import { LM_HEAD, TEXT_PREFIX } from './expected-tensors';
import type { TextConfig } from './hf-config';
import { transpose2d, Weights } from './weights';

const MS = 'com.microsoft';

/** cos/sin caches [max_positions, head_dim / 2] for GroupQueryAttention's rotary, float32 angles like torch. */
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

export function writeFusedDecoder(ckpt: Checkpoint, t: TextConfig, tieWordEmbeddings: boolean, onnxDir: string): void {
  writeGraphFile(`${onnxDir}/${DECODER}`, DECODER, (g) => {
    const w = new Weights(ckpt, g);
    const H = t.hiddenSize;
    // position_ids is declared but unused: GroupQueryAttention derives positions from the mask.
    const { embeds, mask, kvDims, presentDims } = decoderInputs(g, t);
    // GroupQueryAttention wants seqlens_k = (valid keys − 1) per row and the total length as int32.
    const seqlensK = g.cast(g.sub(g.op1('ReduceSum', [mask, g.constI64([1])], { keepdims: 0 }), g.constI64([1], [])), DataType.INT32);
    const totalLen = g.cast(g.op1('Gather', [g.shape(mask), g.constI64([1], [])], { axis: 0 }), DataType.INT32);
    const caches = rotaryCaches(t);
    const cosCache = g.initializer('rotary_cos_cache', caches.cos, [t.maxPositionEmbeddings, t.headDim / 2]);
    const sinCache = g.initializer('rotary_sin_cache', caches.sin, [t.maxPositionEmbeddings, t.headDim / 2]);
    const eps = t.rmsNormEps;

    let residual = embeds;
    let normed = g.op1('SimplifiedLayerNormalization', [embeds, w.raw(`${TEXT_PREFIX}layers.0.input_layernorm.weight`)], { axis: -1, epsilon: eps });
    /** residual + delta, then RMSNorm with `weight`: returns [normed, new residual]. */
    const skipNorm = (delta: string, weight: string): [string, string] => {
      const outs = g.op('SkipSimplifiedLayerNormalization', [delta, residual, w.raw(weight)], { epsilon: eps }, { outputs: 4, domain: MS });
      return [outs[0], outs[3]];
    };
    for (let i = 0; i < t.numLayers; i++) {
      const p = `${TEXT_PREFIX}layers.${i}`;
      const pastK = g.input(`past_key_values.${i}.key`, DataType.FLOAT, kvDims);
      const pastV = g.input(`past_key_values.${i}.value`, DataType.FLOAT, kvDims);
      const q = w.applyLinear(normed, `${p}.self_attn.q_proj`, false);
      const k = w.applyLinear(normed, `${p}.self_attn.k_proj`, false);
      const v = w.applyLinear(normed, `${p}.self_attn.v_proj`, false);
      const [attn] = g.op(
        'GroupQueryAttention',
        [q, k, v, pastK, pastV, seqlensK, totalLen, cosCache, sinCache],
        { num_heads: t.numHeads, kv_num_heads: t.numKvHeads, do_rotary: 1, rotary_interleaved: 0 },
        { names: [g.fresh('gqa'), `present.${i}.key`, `present.${i}.value`], domain: MS },
      );
      g.output(`present.${i}.key`, DataType.FLOAT, presentDims);
      g.output(`present.${i}.value`, DataType.FLOAT, presentDims);
      const o = w.applyLinear(attn, `${p}.self_attn.o_proj`, false);
      [normed, residual] = skipNorm(o, `${p}.post_attention_layernorm.weight`);
      const gate = w.applyLinear(normed, `${p}.mlp.gate_proj`, false);
      const up = w.applyLinear(normed, `${p}.mlp.up_proj`, false);
      const mlp = w.applyLinear(g.mul(g.mul(gate, g.op1('Sigmoid', [gate])), up), `${p}.mlp.down_proj`, false);
      const nextNorm = i + 1 < t.numLayers ? `${TEXT_PREFIX}layers.${i + 1}.input_layernorm.weight` : `${TEXT_PREFIX}norm.weight`;
      [normed, residual] = skipNorm(mlp, nextNorm);
    }
    const head = tieWordEmbeddings
      ? g.initializer('lm_head.weight.T', transpose2d(ckpt.readF32(`${TEXT_PREFIX}embed_tokens.weight`), t.vocabSize, H), [H, t.vocabSize])
      : w.linear(LM_HEAD);
    // Same `num_logits_to_keep` input as the op-by-op decoder: lm_head over the last N positions only.
    g.output('logits', DataType.FLOAT, ['batch_size', LOGITS_LENGTH, t.vocabSize], g.matmul(keepLastPositions(g, normed), head));
  });
}
