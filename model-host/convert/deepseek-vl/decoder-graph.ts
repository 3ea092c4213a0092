/**
 * `embed_tokens.onnx` and `decoder_model_merged.onnx` for the LLaMA-style DeepSeek-LLM, in the
 * transformers.js LLaVA contract: decoder inputs `inputs_embeds`, `attention_mask` (int64
 * [batch_size, total_sequence_length]), `position_ids`, `past_key_values.{i}.key|value`
 * ([batch_size, kv_heads, past_sequence_length, head_dim], may be zero-length); outputs `logits`,
 * `present.{i}.key|value`. One more input, `num_logits_to_keep` (int64 scalar): logits for the last N
 * positions only, 0 = all (see `keepLastPositions`). Plain ops only (RMSNorm, RoPE, SwiGLU, GQA, causal mask
 * in-graph) so the fp32 graph matches the PyTorch reference; fused variants come separately.
 */
import type { Checkpoint } from '../../formats/safetensors';
import { DataType, GraphBuilder } from '../onnx/graph-builder';
import { writeGraphFile } from '../onnx/graph-file';
import { LM_HEAD, TEXT_PREFIX } from './expected-tensors';
import type { TextConfig } from './hf-config';
import { Weights } from './weights';

export const EMBED_TOKENS = 'embed_tokens';
export const DECODER = 'decoder_model_merged';
/** Large negative used for masked scores (torch.finfo(float32).min, as transformers does). */
const MASKED = -3.4028234663852886e38;

export function writeEmbedTokens(ckpt: Checkpoint, t: TextConfig, onnxDir: string): void {
  writeGraphFile(`${onnxDir}/${EMBED_TOKENS}`, EMBED_TOKENS, (g) => {
    const ids = g.input('input_ids', DataType.INT64, ['batch_size', 'sequence_length']);
    const table = new Weights(ckpt, g).raw(`${TEXT_PREFIX}embed_tokens.weight`);
    g.output('inputs_embeds', DataType.FLOAT, ['batch_size', 'sequence_length', t.hiddenSize], g.op1('Gather', [table, ids], { axis: 0 }));
  });
}

/**
 * Declares `num_logits_to_keep` (int64, shape [], as transformers.js feeds it) and returns `hidden`
 * [B, S, H] cut to its last N positions along the sequence axis. Generation needs only the last
 * position's logits; lm_head over a whole prompt is S × vocab wasted work at prefill (~600 × 102400
 * floats for a real 1.3B model). Slice from −N: N = 0 gives start 0, i.e. every position (the HF
 * convention the parity tests rely on), and N > S is clamped by Slice to the whole sequence.
 */
export function keepLastPositions(g: GraphBuilder, hidden: string): string {
  const n = g.input('num_logits_to_keep', DataType.INT64, []);
  const start = g.op1('Neg', [g.reshape(n, [1])]);
  return g.op1('Slice', [hidden, start, g.constI64([Number.MAX_SAFE_INTEGER]), g.constI64([1])]);
}

/** Symbolic length of the logits' sequence axis: `num_logits_to_keep`, or sequence_length when 0. */
export const LOGITS_LENGTH = 'num_logits';

function rmsNorm(g: GraphBuilder, w: Weights, x: string, weight: string, eps: number): string {
  const variance = g.op1('ReduceMean', [g.mul(x, x)], { axes: [-1], keepdims: 1 });
  const normed = g.div(x, g.op1('Sqrt', [g.add(variance, g.scalarF(eps))]));
  return g.mul(normed, w.raw(weight));
}

/** cos/sin [B, 1, S, head_dim] from position_ids, shared by every layer. */
function rotaryTables(g: GraphBuilder, t: TextConfig, positionIds: string): { cos: string; sin: string } {
  const half = t.headDim / 2;
  const invFreq = new Float32Array(half).map((_, j) => 1 / Math.pow(t.ropeTheta, (2 * j) / t.headDim));
  // Tables precomputed here and gathered by position: WGSL cos/sin are approximate for large angles
  // (WebGPU logits were 1.6e-2 off the reference with in-graph Cos/Sin, 5e-5 with these tables).
  const P = t.maxPositionEmbeddings;
  const cosT = new Float32Array(P * t.headDim);
  const sinT = new Float32Array(P * t.headDim);
  for (let p = 0; p < P; p++) {
    for (let j = 0; j < t.headDim; j++) {
      const angle = Math.fround(p * invFreq[j % half]); // float32 product, as torch computes it
      cosT[p * t.headDim + j] = Math.cos(angle);
      sinT[p * t.headDim + j] = Math.sin(angle);
    }
  }
  const gather = (table: Float32Array, name: string) =>
    g.unsqueeze(g.op1('Gather', [g.initializer(name, table, [P, t.headDim]), positionIds], { axis: 0 }), [1]);
  return { cos: gather(cosT, 'rope_cos_table'), sin: gather(sinT, 'rope_sin_table') };
}

function applyRotary(g: GraphBuilder, x: string, cos: string, sin: string, headDim: number): string {
  const half = headDim / 2;
  const [x1, x2] = g.op('Split', [x, g.constI64([half, half])], { axis: -1 }, { outputs: 2 });
  const rotated = g.op1('Concat', [g.op1('Neg', [x2]), x1], { axis: -1 });
  return g.add(g.mul(x, cos), g.mul(rotated, sin));
}

/** Boolean [B, 1, S, T]: key j visible to query i iff j <= past + i and attention_mask[j] = 1. */
function attentionAllowed(g: GraphBuilder, inputsEmbeds: string, attentionMask: string): string {
  const total = g.squeeze(g.shape(attentionMask, 1, 2), [0]);
  const seq = g.squeeze(g.shape(inputsEmbeds, 1, 2), [0]);
  const one = g.constI64([1], []);
  const qpos = g.op1('Range', [g.sub(total, seq), total, one]);
  const kpos = g.op1('Range', [g.constI64([0], []), total, one]);
  const causal = g.op1('LessOrEqual', [g.unsqueeze(kpos, [0]), g.unsqueeze(qpos, [1])]);
  const padding = g.unsqueeze(g.cast(attentionMask, DataType.BOOL), [1, 2]);
  return g.op1('And', [g.unsqueeze(causal, [0, 1]), padding]);
}

/**
 * The inputs every decoder variant declares (the engine feeds any of them the same way) and the
 * shapes of its past/present KV tensors.
 */
export function decoderInputs(g: GraphBuilder, t: TextConfig) {
  return {
    embeds: g.input('inputs_embeds', DataType.FLOAT, ['batch_size', 'sequence_length', t.hiddenSize]),
    mask: g.input('attention_mask', DataType.INT64, ['batch_size', 'total_sequence_length']),
    positions: g.input('position_ids', DataType.INT64, ['batch_size', 'sequence_length']),
    kvDims: ['batch_size', t.numKvHeads, 'past_sequence_length', t.headDim],
    presentDims: ['batch_size', t.numKvHeads, 'total_sequence_length', t.headDim],
  };
}

export function writeDecoder(ckpt: Checkpoint, t: TextConfig, tieWordEmbeddings: boolean, onnxDir: string): void {
  writeGraphFile(`${onnxDir}/${DECODER}`, DECODER, (g) => {
    const w = new Weights(ckpt, g);
    const { embeds, mask, positions, kvDims, presentDims } = decoderInputs(g, t);
    const { cos, sin } = rotaryTables(g, t, positions);
    const allowed = attentionAllowed(g, embeds, mask);
    const masked = g.scalarF(MASKED);
    const scale = g.scalarF(1 / Math.sqrt(t.headDim));
    const nRep = t.numHeads / t.numKvHeads;

    let x = embeds;
    for (let i = 0; i < t.numLayers; i++) {
      const p = `${TEXT_PREFIX}layers.${i}`;
      const pastK = g.input(`past_key_values.${i}.key`, DataType.FLOAT, kvDims);
      const pastV = g.input(`past_key_values.${i}.value`, DataType.FLOAT, kvDims);
      const h = rmsNorm(g, w, x, `${p}.input_layernorm.weight`, t.rmsNormEps);
      const heads = (y: string, n: number) => g.transpose(g.reshape(y, [0, 0, n, t.headDim]), [0, 2, 1, 3]);
      const q = applyRotary(g, heads(w.applyLinear(h, `${p}.self_attn.q_proj`, false), t.numHeads), cos, sin, t.headDim);
      const k = applyRotary(g, heads(w.applyLinear(h, `${p}.self_attn.k_proj`, false), t.numKvHeads), cos, sin, t.headDim);
      const v = heads(w.applyLinear(h, `${p}.self_attn.v_proj`, false), t.numKvHeads);
      const [presentK] = g.op('Concat', [pastK, k], { axis: 2 }, { names: [`present.${i}.key`] });
      const [presentV] = g.op('Concat', [pastV, v], { axis: 2 }, { names: [`present.${i}.value`] });
      g.output(presentK, DataType.FLOAT, presentDims);
      g.output(presentV, DataType.FLOAT, presentDims);
      // GQA: broadcast each kv head to its group of query heads.
      const repeat = (kv: string) =>
        nRep === 1 ? kv : g.reshape(g.op1('Expand', [g.unsqueeze(kv, [2]), g.constI64([1, 1, nRep, 1, 1])]), [0, t.numHeads, -1, t.headDim]);
      const scores = g.mul(g.matmul(q, g.transpose(repeat(presentK), [0, 1, 3, 2])), scale);
      const probs = g.op1('Softmax', [g.op1('Where', [allowed, scores, masked])], { axis: -1 });
      const ctx = g.reshape(g.transpose(g.matmul(probs, repeat(presentV)), [0, 2, 1, 3]), [0, 0, t.numHeads * t.headDim]);
      x = g.add(x, w.applyLinear(ctx, `${p}.self_attn.o_proj`, false));
      const h2 = rmsNorm(g, w, x, `${p}.post_attention_layernorm.weight`, t.rmsNormEps);
      const gate = w.applyLinear(h2, `${p}.mlp.gate_proj`, false);
      const up = w.applyLinear(h2, `${p}.mlp.up_proj`, false);
      const act = g.mul(gate, g.op1('Sigmoid', [gate]));
      x = g.add(x, w.applyLinear(g.mul(act, up), `${p}.mlp.down_proj`, false));
    }
    const final = rmsNorm(g, w, x, `${TEXT_PREFIX}norm.weight`, t.rmsNormEps);
    let head: string;
    if (tieWordEmbeddings) {
      head = w.transposed(`${TEXT_PREFIX}embed_tokens.weight`, 'lm_head.weight.T');
    } else {
      head = w.linear(LM_HEAD);
    }
    g.output('logits', DataType.FLOAT, ['batch_size', LOGITS_LENGTH, t.vocabSize], g.matmul(keepLastPositions(g, final), head));
  });
}
