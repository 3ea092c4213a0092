/**
 * The SAM ViT (`high_res_vision_config`, `model_type: sam_vision_model`) settings the hybrid graph needs,
 * read and checked up front so a bad config fails before anything is written, plus the list of tensors
 * the SAM branch and the hybrid aligner read, with the shapes the config implies.
 */
import { ConvertError, type DeepseekVlConfig } from './hf-config';

export interface SamConfig {
  imageSize: number;
  patchSize: number;
  numChannels: number;
  hiddenSize: number;
  outputChannels: number;
  numLayers: number;
  numHeads: number;
  mlpDim: number;
  windowSize: number;
  globalAttnIndexes: number[];
  layerNormEps: number;
  qkvBias: boolean;
  useAbsPos: boolean;
  useRelPos: boolean;
  hiddenAct: 'gelu' | 'gelu_pytorch_tanh';
  /** Graph layout only, not from config.json: queries per attention chunk (see sam-graph.ts). */
  maxQueriesPerChunk?: number;
}

export const SAM_PREFIX = 'model.high_res_vision_model.vision_encoder.';
export const HYBRID_NECK_PREFIX = 'model.high_res_vision_neck.';
export const HYBRID_PROJ_PREFIX = 'model.high_res_vision_proj.';
export const HYBRID_ALPHA = 'model.high_res_vision_alpha';

function int(raw: Record<string, unknown>, key: string, fallback?: number): number {
  const v = raw[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new ConvertError(`config.json: high_res_vision_config.${key} must be a non-negative integer, got ${JSON.stringify(raw[key])}`);
  }
  return v;
}

export function readSamConfig(raw: Record<string, unknown> | undefined): SamConfig {
  if (!raw) throw new ConvertError('config.json: model_type deepseek_vl_hybrid needs a high_res_vision_config (the SAM encoder)');
  const hiddenAct = (raw.hidden_act ?? 'gelu') as string;
  if (hiddenAct !== 'gelu' && hiddenAct !== 'gelu_pytorch_tanh') {
    throw new ConvertError(`config.json: high_res_vision_config.hidden_act ${hiddenAct} is not supported (gelu or gelu_pytorch_tanh)`);
  }
  const cfg: SamConfig = {
    imageSize: int(raw, 'image_size', 1024),
    patchSize: int(raw, 'patch_size', 16),
    numChannels: int(raw, 'num_channels', 3),
    hiddenSize: int(raw, 'hidden_size', 768),
    outputChannels: int(raw, 'output_channels', 256),
    numLayers: int(raw, 'num_hidden_layers', 12),
    numHeads: int(raw, 'num_attention_heads', 12),
    mlpDim: int(raw, 'mlp_dim', 3072),
    windowSize: int(raw, 'window_size', 14),
    globalAttnIndexes: (raw.global_attn_indexes as number[] | undefined) ?? [2, 5, 8, 11],
    layerNormEps: typeof raw.layer_norm_eps === 'number' ? raw.layer_norm_eps : 1e-6,
    qkvBias: raw.qkv_bias !== false,
    useAbsPos: raw.use_abs_pos !== false,
    useRelPos: raw.use_rel_pos !== false,
    hiddenAct,
  };
  if (cfg.imageSize % cfg.patchSize !== 0) throw new ConvertError('config.json: high_res_vision_config.image_size is not a multiple of patch_size');
  if (cfg.hiddenSize % cfg.numHeads !== 0) throw new ConvertError('config.json: high_res_vision_config.hidden_size is not a multiple of num_attention_heads');
  const g = cfg.globalAttnIndexes;
  if (!Array.isArray(g) || g.length === 0 || g.some((i) => !Number.isInteger(i) || i < 0 || i >= cfg.numLayers)) {
    throw new ConvertError(`config.json: high_res_vision_config.global_attn_indexes ${JSON.stringify(g)} must name at least one layer below ${cfg.numLayers}`);
  }
  return cfg;
}

/** Side of the SAM patch grid (64 for SAM-B at 1024 px). */
export const samGrid = (c: SamConfig): number => c.imageSize / c.patchSize;

/** Length of the relative-position table a layer was trained with (2·size − 1 over its attention window). */
export function relPosLength(c: SamConfig, layer: number): number {
  const size = c.globalAttnIndexes.includes(layer) ? samGrid(c) : c.windowSize;
  return 2 * size - 1;
}

/** Every tensor of the SAM branch and the hybrid aligner, with its expected shape. */
export function hybridTensors(cfg: DeepseekVlConfig, sam: SamConfig): [string, number[]][] {
  const D = sam.hiddenSize;
  const O = sam.outputChannels;
  const hd = D / sam.numHeads;
  const G = samGrid(sam);
  const H = cfg.text.hiddenSize;
  const out: [string, number[]][] = [
    [`${SAM_PREFIX}patch_embed.projection.weight`, [D, sam.numChannels, sam.patchSize, sam.patchSize]],
    [`${SAM_PREFIX}patch_embed.projection.bias`, [D]],
  ];
  if (sam.useAbsPos) out.push([`${SAM_PREFIX}pos_embed`, [1, G, G, D]]);
  for (let i = 0; i < sam.numLayers; i++) {
    const p = `${SAM_PREFIX}layers.${i}.`;
    for (const n of ['layer_norm1', 'layer_norm2']) out.push([`${p}${n}.weight`, [D]], [`${p}${n}.bias`, [D]]);
    out.push([`${p}attn.qkv.weight`, [3 * D, D]], [`${p}attn.proj.weight`, [D, D]], [`${p}attn.proj.bias`, [D]]);
    if (sam.qkvBias) out.push([`${p}attn.qkv.bias`, [3 * D]]);
    // Tables may have been trained at another size; they are interpolated, so only the width is fixed.
    if (sam.useRelPos) out.push([`${p}attn.rel_pos_h`, [-1, hd]], [`${p}attn.rel_pos_w`, [-1, hd]]);
    out.push([`${p}mlp.lin1.weight`, [sam.mlpDim, D]], [`${p}mlp.lin1.bias`, [sam.mlpDim]]);
    out.push([`${p}mlp.lin2.weight`, [D, sam.mlpDim]], [`${p}mlp.lin2.bias`, [D]]);
  }
  for (const neck of [`${SAM_PREFIX}neck.`, HYBRID_NECK_PREFIX]) {
    out.push([`${neck}conv1.weight`, [O, D, 1, 1]], [`${neck}conv2.weight`, [O, O, 3, 3]]);
    for (const n of ['layer_norm1', 'layer_norm2']) out.push([`${neck}${n}.weight`, [O]], [`${neck}${n}.bias`, [O]]);
  }
  out.push([`${HYBRID_PROJ_PREFIX}conv1.weight`, [2 * O, O, 3, 3]], [`${HYBRID_PROJ_PREFIX}conv2.weight`, [4 * O, 2 * O, 3, 3]]);
  out.push([HYBRID_ALPHA, [1]]);
  out.push(['model.aligner.vision_proj.weight', [H / 2, cfg.vision.hiddenSize]], ['model.aligner.vision_proj.bias', [H / 2]]);
  out.push(['model.aligner.high_res_vision_proj.weight', [H / 2, 4 * O]], ['model.aligner.high_res_vision_proj.bias', [H / 2]]);
  out.push(['model.aligner.proj.weight', [H, H]], ['model.aligner.proj.bias', [H]]);
  return out;
}
