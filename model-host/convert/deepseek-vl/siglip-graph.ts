/**
 * SigLIP vision tower as plain ONNX ops: patch Conv, learned position embeddings, pre-LN encoder
 * layers (LayerNorm → MHA → residual, LayerNorm → fc1 → gelu(tanh) → fc2 → residual), post_layernorm.
 * DeepSeek-VL feeds `last_hidden_state` (after post_layernorm) to its aligner; the attention-pool
 * `head` only makes `pooler_output` and is not used.
 */
import type { GraphBuilder } from '../onnx/graph-builder';
import type { SiglipConfig } from './hf-config';
import { SIGLIP_PREFIX } from './expected-tensors';
import type { Weights } from './weights';

/** gelu with the tanh approximation (`gelu_pytorch_tanh`), written out op by op (opset 17 has no Gelu). */
export function geluTanh(g: GraphBuilder, x: string): string {
  const x3 = g.mul(g.mul(x, x), x);
  const inner = g.mul(g.add(x, g.mul(x3, g.scalarF(0.044715))), g.scalarF(Math.sqrt(2 / Math.PI)));
  const t = g.add(g.op1('Tanh', [inner]), g.scalarF(1));
  return g.mul(g.mul(x, t), g.scalarF(0.5));
}

/** Exact gelu, 0.5·x·(1 + erf(x/√2)) (torch `nn.GELU()`). */
export function geluErf(g: GraphBuilder, x: string): string {
  const e = g.op1('Erf', [g.mul(x, g.scalarF(Math.SQRT1_2))]);
  return g.mul(g.mul(x, g.add(e, g.scalarF(1))), g.scalarF(0.5));
}

export function layerNorm(g: GraphBuilder, w: Weights, x: string, prefix: string, eps: number): string {
  return g.op1('LayerNormalization', [x, w.raw(`${prefix}.weight`), w.raw(`${prefix}.bias`)], { axis: -1, epsilon: eps });
}

/** Bidirectional multi-head self-attention over [B, N, D] with biased q/k/v/out projections. */
function selfAttention(g: GraphBuilder, w: Weights, x: string, prefix: string, heads: number, dim: number): string {
  const hd = dim / heads;
  const split = (t: string, perm: number[]) => g.transpose(g.reshape(t, [0, 0, heads, hd]), perm);
  const q = split(w.applyLinear(x, `${prefix}.q_proj`, true), [0, 2, 1, 3]);
  const kT = split(w.applyLinear(x, `${prefix}.k_proj`, true), [0, 2, 3, 1]);
  const v = split(w.applyLinear(x, `${prefix}.v_proj`, true), [0, 2, 1, 3]);
  const scores = g.mul(g.matmul(q, kT), g.scalarF(1 / Math.sqrt(hd)));
  const probs = g.op1('Softmax', [scores], { axis: -1 });
  const ctx = g.reshape(g.transpose(g.matmul(probs, v), [0, 2, 1, 3]), [0, 0, dim]);
  return w.applyLinear(ctx, `${prefix}.out_proj`, true);
}

/**
 * Adds the SigLIP tower reading `pixelValues` [B, C, S, S]; returns the name of
 * `last_hidden_state` [B, (S/patch)^2, D].
 */
export function buildSiglipTower(g: GraphBuilder, w: Weights, cfg: SiglipConfig, pixelValues: string, prefix = SIGLIP_PREFIX): string {
  const D = cfg.hiddenSize;
  const p = cfg.patchSize;
  const conv = g.op1('Conv', [pixelValues, w.raw(`${prefix}embeddings.patch_embedding.weight`), w.raw(`${prefix}embeddings.patch_embedding.bias`)], {
    kernel_shape: [p, p],
    strides: [p, p],
  });
  const patches = g.transpose(g.reshape(conv, [0, D, -1]), [0, 2, 1]);
  let x = g.add(patches, w.raw(`${prefix}embeddings.position_embedding.weight`));
  const act = cfg.hiddenAct === 'gelu' ? geluErf : geluTanh;
  for (let i = 0; i < cfg.numLayers; i++) {
    const lp = `${prefix}encoder.layers.${i}`;
    const h = layerNorm(g, w, x, `${lp}.layer_norm1`, cfg.layerNormEps);
    x = g.add(x, selfAttention(g, w, h, `${lp}.self_attn`, cfg.numHeads, D));
    const h2 = layerNorm(g, w, x, `${lp}.layer_norm2`, cfg.layerNormEps);
    const mlp = w.applyLinear(act(g, w.applyLinear(h2, `${lp}.mlp.fc1`, true)), `${lp}.mlp.fc2`, true);
    x = g.add(x, mlp);
  }
  return layerNorm(g, w, x, `${prefix}post_layernorm`, cfg.layerNormEps);
}
