/**
 * Reads a Hugging Face DeepSeek-VL `config.json` (transformers 5.x layout: `text_config` = llama,
 * `vision_config` = siglip_vision_model, optional `high_res_vision_config` = SAM for the hybrid).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export class ConvertError extends Error {}

export const SUPPORTED_MODEL_TYPES = ['deepseek_vl', 'deepseek_vl_hybrid'] as const;
export type DeepseekVlModelType = (typeof SUPPORTED_MODEL_TYPES)[number];

export interface TextConfig {
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  rmsNormEps: number;
  ropeTheta: number;
  maxPositionEmbeddings: number;
  bosTokenId: number;
  eosTokenId: number | number[];
  padTokenId?: number;
}

export interface SiglipConfig {
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  imageSize: number;
  patchSize: number;
  numChannels: number;
  layerNormEps: number;
  hiddenAct: string;
}

export interface DeepseekVlConfig {
  modelType: DeepseekVlModelType;
  text: TextConfig;
  vision: SiglipConfig;
  /** The SAM config for `deepseek_vl_hybrid`, untouched (H2b's SAM graph reads it). */
  highResVision?: Record<string, unknown>;
  imageTokenId: number;
  /** Image tokens per image = (image_size / patch_size)^2. */
  numImageTokens: number;
  /** Whether `lm_head` reuses `embed_tokens` (resolved against the checkpoint by the converter). */
  tieWordEmbeddingsFlag: boolean;
  raw: Record<string, unknown>;
}

type Json = Record<string, unknown>;

function num(obj: Json, key: string, where: string, fallback?: number): number {
  const v = obj[key];
  if (typeof v === 'number') return v;
  if (fallback !== undefined) return fallback;
  throw new ConvertError(`config.json: ${where}.${key} is missing or not a number`);
}

export function readDeepseekVlConfig(dir: string): DeepseekVlConfig {
  const path = join(dir, 'config.json');
  if (!existsSync(path)) throw new ConvertError(`no config.json in ${dir}: point --from at a Hugging Face DeepSeek-VL checkpoint folder`);
  let raw: Json;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8')) as Json;
  } catch (e) {
    throw new ConvertError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  const modelType = raw.model_type;
  if (typeof modelType !== 'string' || !(SUPPORTED_MODEL_TYPES as readonly string[]).includes(modelType)) {
    throw new ConvertError(
      `unsupported model_type ${JSON.stringify(modelType)} in ${path}; the converter handles ${SUPPORTED_MODEL_TYPES.join(' and ')} (deepseek-community/deepseek-vl-*-chat)`,
    );
  }
  const t = (raw.text_config ?? {}) as Json;
  const v = (raw.vision_config ?? {}) as Json;
  if (!raw.text_config || !raw.vision_config) throw new ConvertError(`${path} lacks text_config or vision_config`);
  const hiddenSize = num(t, 'hidden_size', 'text_config');
  const numHeads = num(t, 'num_attention_heads', 'text_config');
  const rope = (t.rope_parameters ?? {}) as Json;
  if (typeof rope.rope_type === 'string' && rope.rope_type !== 'default') {
    throw new ConvertError(`config.json: rope_type ${rope.rope_type} is not supported (only default RoPE)`);
  }
  const text: TextConfig = {
    vocabSize: num(t, 'vocab_size', 'text_config'),
    hiddenSize,
    intermediateSize: num(t, 'intermediate_size', 'text_config'),
    numLayers: num(t, 'num_hidden_layers', 'text_config'),
    numHeads,
    numKvHeads: num(t, 'num_key_value_heads', 'text_config', numHeads),
    headDim: num(t, 'head_dim', 'text_config', hiddenSize / numHeads),
    rmsNormEps: num(t, 'rms_norm_eps', 'text_config', 1e-6),
    ropeTheta: typeof rope.rope_theta === 'number' ? rope.rope_theta : num(t, 'rope_theta', 'text_config', 10000),
    maxPositionEmbeddings: num(t, 'max_position_embeddings', 'text_config', 4096),
    bosTokenId: num(t, 'bos_token_id', 'text_config', 0),
    eosTokenId: (t.eos_token_id as number | number[] | undefined) ?? 1,
    padTokenId: typeof t.pad_token_id === 'number' ? t.pad_token_id : undefined,
  };
  const hiddenAct = typeof v.hidden_act === 'string' ? v.hidden_act : 'gelu_pytorch_tanh';
  const vision: SiglipConfig = {
    hiddenSize: num(v, 'hidden_size', 'vision_config'),
    intermediateSize: num(v, 'intermediate_size', 'vision_config'),
    numLayers: num(v, 'num_hidden_layers', 'vision_config'),
    numHeads: num(v, 'num_attention_heads', 'vision_config'),
    imageSize: num(v, 'image_size', 'vision_config'),
    patchSize: num(v, 'patch_size', 'vision_config'),
    numChannels: num(v, 'num_channels', 'vision_config', 3),
    layerNormEps: num(v, 'layer_norm_eps', 'vision_config', 1e-6),
    hiddenAct,
  };
  if (!['gelu_pytorch_tanh', 'gelu'].includes(hiddenAct)) throw new ConvertError(`config.json: vision hidden_act ${hiddenAct} is not supported`);
  if (vision.imageSize % vision.patchSize !== 0) throw new ConvertError('config.json: vision image_size is not a multiple of patch_size');
  const grid = vision.imageSize / vision.patchSize;
  return {
    modelType: modelType as DeepseekVlModelType,
    text,
    vision,
    highResVision: raw.high_res_vision_config as Json | undefined,
    imageTokenId: num(raw, 'image_token_id', 'config', 100015),
    numImageTokens: grid * grid,
    tieWordEmbeddingsFlag: raw.tie_word_embeddings === true || t.tie_word_embeddings === true,
    raw,
  };
}
