/**
 * Every tensor the DeepSeek-VL graphs read, with the shape the config implies, so a checkpoint is
 * validated before anything is written (a missing or mis-shaped tensor is named up front).
 */
import type { Checkpoint } from '../../formats/safetensors';
import { ConvertError, type DeepseekVlConfig } from './hf-config';
import { checkShape } from './weights';

export type ExpectedTensors = [name: string, shape: number[]][];

export const SIGLIP_PREFIX = 'model.vision_model.';
export const TEXT_PREFIX = 'model.language_model.';
export const LM_HEAD = 'lm_head.weight';

export function siglipTensors(cfg: DeepseekVlConfig, prefix = SIGLIP_PREFIX): ExpectedTensors {
  const v = cfg.vision;
  const D = v.hiddenSize;
  const grid = v.imageSize / v.patchSize;
  const out: ExpectedTensors = [
    [`${prefix}embeddings.patch_embedding.weight`, [D, v.numChannels, v.patchSize, v.patchSize]],
    [`${prefix}embeddings.patch_embedding.bias`, [D]],
    [`${prefix}embeddings.position_embedding.weight`, [grid * grid, D]],
    [`${prefix}post_layernorm.weight`, [D]],
    [`${prefix}post_layernorm.bias`, [D]],
  ];
  for (let i = 0; i < v.numLayers; i++) {
    const p = `${prefix}encoder.layers.${i}.`;
    for (const n of ['layer_norm1', 'layer_norm2']) out.push([`${p}${n}.weight`, [D]], [`${p}${n}.bias`, [D]]);
    for (const n of ['q_proj', 'k_proj', 'v_proj', 'out_proj']) out.push([`${p}self_attn.${n}.weight`, [D, D]], [`${p}self_attn.${n}.bias`, [D]]);
    out.push([`${p}mlp.fc1.weight`, [v.intermediateSize, D]], [`${p}mlp.fc1.bias`, [v.intermediateSize]]);
    out.push([`${p}mlp.fc2.weight`, [D, v.intermediateSize]], [`${p}mlp.fc2.bias`, [D]]);
  }
  return out;
}

/** The 2-layer MLP aligner of `deepseek_vl` (the hybrid aligner is H2b's). */
export function alignerTensors(cfg: DeepseekVlConfig): ExpectedTensors {
  const H = cfg.text.hiddenSize;
  return [
    ['model.aligner.linear1.weight', [H, cfg.vision.hiddenSize]],
    ['model.aligner.linear1.bias', [H]],
    ['model.aligner.linear2.weight', [H, H]],
    ['model.aligner.linear2.bias', [H]],
  ];
}

export function textTensors(cfg: DeepseekVlConfig, hasLmHead: boolean): ExpectedTensors {
  const t = cfg.text;
  const H = t.hiddenSize;
  const q = t.numHeads * t.headDim;
  const kv = t.numKvHeads * t.headDim;
  const out: ExpectedTensors = [
    [`${TEXT_PREFIX}embed_tokens.weight`, [t.vocabSize, H]],
    [`${TEXT_PREFIX}norm.weight`, [H]],
  ];
  if (hasLmHead) out.push([LM_HEAD, [t.vocabSize, H]]);
  for (let i = 0; i < t.numLayers; i++) {
    const p = `${TEXT_PREFIX}layers.${i}.`;
    out.push([`${p}input_layernorm.weight`, [H]], [`${p}post_attention_layernorm.weight`, [H]]);
    out.push([`${p}self_attn.q_proj.weight`, [q, H]], [`${p}self_attn.k_proj.weight`, [kv, H]]);
    out.push([`${p}self_attn.v_proj.weight`, [kv, H]], [`${p}self_attn.o_proj.weight`, [H, q]]);
    out.push([`${p}mlp.gate_proj.weight`, [t.intermediateSize, H]], [`${p}mlp.up_proj.weight`, [t.intermediateSize, H]]);
    out.push([`${p}mlp.down_proj.weight`, [H, t.intermediateSize]]);
  }
  return out;
}

/** Throws a ConvertError naming the first missing tensor or wrong shape. */
export function validateTensors(ckpt: Checkpoint, expected: ExpectedTensors): void {
  const missing = expected.filter(([n]) => !ckpt.has(n)).map(([n]) => n);
  if (missing.length) {
    const more = missing.length > 1 ? ` (and ${missing.length - 1} more)` : '';
    throw new ConvertError(`tensor ${missing[0]} is missing from the checkpoint${more}; the download is incomplete or this is not a DeepSeek-VL checkpoint`);
  }
  for (const [name, shape] of expected) checkShape(ckpt, name, shape);
}
