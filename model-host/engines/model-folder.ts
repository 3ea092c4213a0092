/**
 * What kind of local model a folder holds, from its `config.json`:
 * - `deepseek-vl`: converted by our converter (a `visual_coder` block with family deepseek-vl);
 * - `janus` / `qwen2-vl`: published transformers.js ONNX repos (`multi_modality`, `qwen2_vl`);
 * - `hf-checkpoint`: an unconverted DeepSeek-VL checkpoint (needs `model-host convert`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type ModelFolderKind = 'deepseek-vl' | 'janus' | 'qwen2-vl' | 'hf-checkpoint';

export class ModelFolderError extends Error {}

export function detectModelFolder(dir: string): ModelFolderKind {
  const path = join(dir, 'config.json');
  if (!existsSync(path)) throw new ModelFolderError(`${dir} has no config.json; it is not a model folder`);
  let cfg: { model_type?: unknown; visual_coder?: { family?: unknown; decoder?: unknown } };
  try {
    cfg = JSON.parse(readFileSync(path, 'utf8')) as typeof cfg;
  } catch (e) {
    throw new ModelFolderError(`${path} is not valid JSON (${(e as Error).message})`);
  }
  if (cfg.visual_coder?.family === 'deepseek-vl') {
    // The kv-rows decoder gathers its own embeddings; the op-by-op one (and folders from before) has embed_tokens.
    const graphs =
      cfg.visual_coder.decoder === 'kv-rows' ? ['vision_encoder', 'decoder_model_merged'] : ['vision_encoder', 'embed_tokens', 'decoder_model_merged'];
    for (const g of graphs) {
      if (!existsSync(join(dir, 'onnx', `${g}.onnx`))) throw new ModelFolderError(`${dir}/onnx/${g}.onnx is missing; convert the model again`);
    }
    return 'deepseek-vl';
  }
  if (cfg.model_type === 'multi_modality') return 'janus';
  if (cfg.model_type === 'qwen2_vl') return 'qwen2-vl';
  if (cfg.model_type === 'deepseek_vl' || cfg.model_type === 'deepseek_vl_hybrid') return 'hf-checkpoint';
  throw new ModelFolderError(`${dir} holds a ${JSON.stringify(cfg.model_type)} model, which the local engine cannot run (DeepSeek-VL, Janus and Qwen2-VL can)`);
}
