/**
 * Converts a Hugging Face DeepSeek-VL checkpoint folder into our ONNX model folder:
 *
 *   OUT/config.json, generation_config.json, tokenizer.json, tokenizer_config.json, preprocessor_config.json
 *   OUT/onnx/vision_encoder.onnx(+_data), embed_tokens.onnx(+_data), decoder_model_merged.onnx(+_data)
 *
 * Everything is validated before the first byte is written, written into a temporary folder beside
 * OUT, and renamed into place only when complete, so an interrupted or failed conversion never leaves
 * something that looks like a valid model.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Checkpoint } from '../../formats/safetensors';
import { writeDecoder, writeEmbedTokens } from './decoder-graph';
import { alignerTensors, LM_HEAD, siglipTensors, textTensors, validateTensors } from './expected-tensors';
import { ConvertError, type DeepseekVlConfig, readDeepseekVlConfig } from './hf-config';
import { writeGenerationConfig, writeModelConfig, writeProcessorFiles } from './output-files';
import { CONVERTED_FORMAT_VERSION } from '../../engines/deepseek-vl/engine';
import { readProcessorFiles } from '../../engines/deepseek-vl/processor';
import { writeVisionEncoder } from './vision-encoder-graph';
import { checkHybridTensors, writeHybridVisionEncoder } from './hybrid-graph';
import { applyDtypeToOnnxFolder } from '../dtypes/apply-dtype';
import { writeFusedDecoder } from './fused-decoder';
import { readSamConfig } from './sam-config';

export type ConvertDtype = 'fp32' | 'fp16' | 'q4';

export interface ConvertOptions {
  from: string;
  to: string;
  dtype?: ConvertDtype;
  /** Replace an existing OUT folder. */
  overwrite?: boolean;
  /** Decoder from onnxruntime contrib ops (GroupQueryAttention, SkipSimplifiedLayerNormalization); same I/O. */
  fused?: boolean;
  log?: (message: string) => void;
}

export interface ConvertResult {
  outDir: string;
  modelType: string;
  graphs: string[];
  seconds: number;
}

/**
 * Whether `lm_head` reuses the token embeddings. transformers 5 ties them for
 * `DeepseekVLForConditionalGeneration` from the top-level `tie_word_embeddings` (the tiny fixture has
 * true there and false in text_config, and its safetensors carries no `lm_head.weight`).
 */
export function resolveTiedEmbeddings(cfg: DeepseekVlConfig, ckpt: Checkpoint): boolean {
  const top = cfg.raw.tie_word_embeddings;
  const textTie = (cfg.raw.text_config as Record<string, unknown>).tie_word_embeddings;
  const tied = typeof top === 'boolean' ? top : textTie === true;
  if (!tied && !ckpt.has(LM_HEAD)) {
    throw new ConvertError(`tensor ${LM_HEAD} is missing and tie_word_embeddings is false; the checkpoint is incomplete`);
  }
  return tied;
}

/** Whether a process with this id still runs (a conversion in progress must not lose its folder). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes temporary folders of earlier conversions to the same OUT whose process is gone (killed, crashed). */
function removeAbandonedTemps(parent: string, name: string, log: (message: string) => void): void {
  const prefix = `.${name}.converting-`;
  for (const entry of readdirSync(parent)) {
    if (!entry.startsWith(prefix)) continue;
    const pid = Number(entry.slice(prefix.length).split('-')[0]);
    if (Number.isInteger(pid) && pid !== process.pid && !alive(pid)) {
      log(`removing ${entry}, left by an interrupted conversion`);
      rmSync(join(parent, entry), { recursive: true, force: true });
    }
  }
}

/** The checkpoint's processor files, checked before anything is written: readable, and agreeing with the vision tower. */
function readCheckpointProcessor(from: string, numImageTokens: number, log: (message: string) => void) {
  let processor;
  try {
    processor = readProcessorFiles(from, (_level, message) => log(message));
  } catch (e) {
    throw new ConvertError((e as Error).message);
  }
  if (!existsSync(join(from, 'tokenizer.json'))) throw new ConvertError(`tokenizer.json is missing from ${from}; download it with the weights`);
  if (processor.numImageTokens !== numImageTokens) {
    throw new ConvertError(`the processor files say ${processor.numImageTokens} image tokens per image, but the vision tower gives ${numImageTokens}`);
  }
  log(
    `processor: image processor from ${processor.imageProcessorSource}, chat template from ${processor.chatTemplate.source}, ${processor.numImageTokens} image tokens`,
  );
  return processor;
}

export function convertDeepseekVl(opts: ConvertOptions): ConvertResult {
  const started = Date.now();
  const log = opts.log ?? (() => undefined);
  const dtype = opts.dtype ?? 'fp32';
  const from = resolve(opts.from);
  const to = resolve(opts.to);
  if (!existsSync(from)) throw new ConvertError(`--from ${from} does not exist`);
  if (existsSync(to) && !opts.overwrite) throw new ConvertError(`${to} already exists; remove it or pass --overwrite`);

  const cfg = readDeepseekVlConfig(from);
  const hybrid = cfg.modelType === 'deepseek_vl_hybrid';
  const ckpt = Checkpoint.open(from);
  const tied = resolveTiedEmbeddings(cfg, ckpt);
  validateTensors(ckpt, [...siglipTensors(cfg), ...(hybrid ? [] : alignerTensors(cfg)), ...textTensors(cfg, !tied)]);
  if (hybrid) checkHybridTensors(ckpt, cfg, readSamConfig(cfg.highResVision));
  log(
    `checkpoint ok: ${cfg.modelType}, ${cfg.text.numLayers} text layers, ${cfg.vision.numLayers} vision layers, ${cfg.numImageTokens} image tokens, tied lm_head ${tied}`,
  );
  const processor = readCheckpointProcessor(from, cfg.numImageTokens, log);

  mkdirSync(dirname(to), { recursive: true });
  removeAbandonedTemps(dirname(to), basename(to), log);
  const tmp = join(dirname(to), `.${basename(to)}.converting-${process.pid}-${Date.now()}`);
  mkdirSync(join(tmp, 'onnx'), { recursive: true });
  try {
    const onnxDir = join(tmp, 'onnx');
    log('writing vision_encoder.onnx');
    if (hybrid) writeHybridVisionEncoder(ckpt, cfg, onnxDir);
    else writeVisionEncoder(ckpt, cfg, onnxDir);
    log('writing embed_tokens.onnx');
    writeEmbedTokens(ckpt, cfg.text, onnxDir);
    log('writing decoder_model_merged.onnx');
    (opts.fused ? writeFusedDecoder : writeDecoder)(ckpt, cfg.text, tied, onnxDir);
    applyDtypeToOnnxFolder(onnxDir, dtype, log);
    writeProcessorFiles(from, tmp, cfg, processor, log);
    writeGenerationConfig(from, tmp, cfg);
    // config.json last: the runtime recognises a converted folder by its visual_coder block.
    writeModelConfig(tmp, cfg, {
      format: CONVERTED_FORMAT_VERSION,
      family: 'deepseek-vl',
      source_model_type: cfg.modelType,
      source: from,
      dtype,
      hybrid,
      num_image_tokens: cfg.numImageTokens,
      image_token: '<image_placeholder>',
      converted_by: 'visual-coder model-host convert',
    });
    if (existsSync(to)) rmSync(to, { recursive: true, force: true });
    renameSync(tmp, to);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return { outDir: to, modelType: cfg.modelType, graphs: ['vision_encoder', 'embed_tokens', 'decoder_model_merged'], seconds: (Date.now() - started) / 1000 };
}
