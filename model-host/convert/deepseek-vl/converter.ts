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
import { Checkpoint, type ReadProgress } from '../../formats/safetensors';
import { writeDecoder, writeEmbedTokens } from './decoder-graph';
import { alignerTensors, LM_HEAD, siglipTensors, textTensors, validateTensors } from './expected-tensors';
import { ConvertError, type DeepseekVlConfig, readDeepseekVlConfig } from './hf-config';
import { writeGenerationConfig, writeModelConfig, writeProcessorFiles } from './output-files';
import { CONVERTED_FORMAT_VERSION } from '../../engines/deepseek-vl/engine';
import { readProcessorFiles } from '../../engines/deepseek-vl/processor';
import { writeVisionEncoder } from './vision-encoder-graph';
import { checkHybridTensors, writeHybridVisionEncoder } from './hybrid-graph';
import { applyGraphActions, type GraphAction } from '../dtypes/apply-dtype';
import { type KvDtype, writeFastDecoder } from './fast-decoder';
import { readSamConfig } from './sam-config';

export const CONVERT_DTYPES = ['fp32', 'fp16', 'q4', 'q4f16'] as const;
export type ConvertDtype = (typeof CONVERT_DTYPES)[number];
/** `kv-rows`: fast-decoder.ts (fused kernels, cache kept by the runtime); `op-by-op`: decoder-graph.ts (the reference). */
export type DecoderKind = 'kv-rows' | 'op-by-op';

/** The decoder a dtype gets unless asked otherwise: the reference graph for fp32, the fast one for the rest. */
export function defaultDecoder(dtype: ConvertDtype): DecoderKind {
  return dtype === 'fp32' ? 'op-by-op' : 'kv-rows';
}

/**
 * 4-bit blocks: 128 values (symmetric: 4.25 bits per weight) on the CPU, where decode reads every
 * weight once per token and prefill is bound by the int8 kernels (block 128 measured 1.6× faster
 * than 32 with zero points at 617 rows, docs/performance.md); 32 on GPUs, which have the bandwidth.
 * Smaller blocks when the projections' input sizes are not multiples (the tiny test models).
 */
export function defaultQ4Block(dtype: ConvertDtype, inputSizes: number[]): number {
  const preferred = dtype === 'q4' ? [128, 64, 32] : [32];
  return preferred.find((b) => inputSizes.every((k) => k % b === 0)) ?? 32;
}

export interface ConvertOptions {
  from: string;
  /** Tensors and bytes of the checkpoint read so far, at most every PROGRESS_INTERVAL_MS and once at the end. */
  progress?: (p: ReadProgress) => void;
  to: string;
  dtype?: ConvertDtype;
  /** Replace an existing OUT folder. */
  overwrite?: boolean;
  /** Which decoder graph to write (default: `defaultDecoder(dtype)`). */
  decoder?: DecoderKind;
  /** 4-bit block size along K (default: `defaultQ4Block(dtype)`). */
  q4Block?: number;
  /** 4-bit with zero points (asymmetric): more accurate, larger and slower. */
  q4ZeroPoints?: boolean;
  /** q4's MatMulNBits accuracy_level: 4 (default) quantizes activations to int8, 0 keeps them float. */
  q4Accuracy?: 0 | 4;
  /** KV cache element type of the kv-rows decoder (default fp16, fp32 for dtype fp32); fp32 for GPUs without shader-f16. */
  kvDtype?: KvDtype;
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

const PROGRESS_INTERVAL_MS = 250;

function throttled(report: ConvertOptions['progress']): ((p: ReadProgress) => void) | undefined {
  if (!report) return undefined;
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    report(p);
  };
}

export function convertDeepseekVl(opts: ConvertOptions): ConvertResult {
  const started = Date.now();
  const log = opts.log ?? (() => undefined);
  const dtype = opts.dtype ?? 'fp32';
  const decoder = opts.decoder ?? defaultDecoder(dtype);
  if (decoder === 'op-by-op' && dtype === 'q4f16') throw new ConvertError('q4f16 needs the kv-rows decoder (drop --op-by-op)');
  if (!CONVERT_DTYPES.includes(dtype)) throw new ConvertError(`--dtype ${String(dtype)} is not one of ${CONVERT_DTYPES.join(', ')}`);
  const from = resolve(opts.from);
  const to = resolve(opts.to);
  if (!existsSync(from)) throw new ConvertError(`--from ${from} does not exist`);
  if (existsSync(to) && !opts.overwrite) throw new ConvertError(`${to} already exists; remove it or pass --overwrite`);

  const cfg = readDeepseekVlConfig(from);
  const hybrid = cfg.modelType === 'deepseek_vl_hybrid';
  const ckpt = Checkpoint.open(from);
  const reportProgress = throttled(opts.progress);
  ckpt.onRead = reportProgress;
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
    const actions: Partial<Record<string, GraphAction>> = {};
    // CPU folders (q4) get int8 vision (the u8s8 GEMM: 2.7× q8 MatMulNBits at 576 rows); GPU folders (fp16, q4f16) fp16 vision.
    if (dtype === 'q4') actions.vision_encoder = 'int8';
    if (dtype === 'fp16' || dtype === 'q4f16') actions.vision_encoder = 'fp16';
    const kvDtype: KvDtype = opts.kvDtype ?? (dtype === 'fp32' ? 'fp32' : 'fp16');
    if (kvDtype === 'fp32' && (dtype === 'fp16' || dtype === 'q4f16')) {
      throw new ConvertError(`--kv-dtype fp32 goes with fp32 activations (--dtype q4 or fp32), not ${dtype}`);
    }
    if (decoder === 'kv-rows') {
      log(`writing decoder_model_merged.onnx (kv-rows, ${dtype}, ${cfg.text.numLayers} layers)`);
      const t = cfg.text;
      const quant = {
        blockSize: opts.q4Block ?? defaultQ4Block(dtype, [t.hiddenSize, t.intermediateSize, t.numHeads * t.headDim]),
        symmetric: !opts.q4ZeroPoints,
      };
      if (![16, 32, 64, 128, 256].includes(quant.blockSize)) throw new ConvertError(`--q4-block ${quant.blockSize} must be 16, 32, 64, 128 or 256`);
      // GPU dtypes keep the cache on the device and need the whole present; CPU dtypes only the new rows.
      const presentOutputs = dtype === 'fp16' || dtype === 'q4f16'; // as config.json's present_outputs says
      writeFastDecoder(ckpt, cfg.text, tied, onnxDir, { dtype, kvDtype, presentOutputs, accuracyLevel: opts.q4Accuracy, ...quant }, (i) =>
        log(`decoder layer ${i + 1}/${cfg.text.numLayers}`),
      );
    } else {
      log('writing embed_tokens.onnx');
      writeEmbedTokens(ckpt, cfg.text, onnxDir);
      log('writing decoder_model_merged.onnx (op-by-op)');
      writeDecoder(ckpt, cfg.text, tied, onnxDir);
      if (dtype === 'fp16') Object.assign(actions, { embed_tokens: 'fp16', decoder_model_merged: 'fp16' });
      if (dtype === 'q4') actions.decoder_model_merged = 'q4';
    }
    applyGraphActions(onnxDir, actions, log);
    writeProcessorFiles(from, tmp, cfg, processor, log);
    writeGenerationConfig(from, tmp, cfg);
    // config.json last: the runtime recognises a converted folder by its visual_coder block.
    writeModelConfig(tmp, cfg, {
      format: CONVERTED_FORMAT_VERSION,
      family: 'deepseek-vl',
      source_model_type: cfg.modelType,
      source: from,
      dtype,
      decoder,
      kv_dtype: decoder === 'kv-rows' ? kvDtype : 'fp32',
      present_outputs: decoder === 'op-by-op' || dtype === 'fp16' || dtype === 'q4f16',
      hybrid,
      num_image_tokens: cfg.numImageTokens,
      image_token: '<image_placeholder>',
      converted_by: 'visual-coder model-host convert',
    });
    if (existsSync(to)) rmSync(to, { recursive: true, force: true });
    renameSync(tmp, to);
    // Every tensor the model needs is written: a checkpoint's unused extras must not leave the bar short.
    const read = ckpt.readProgress();
    opts.progress?.({ ...read, tensorsDone: read.tensorsTotal, bytesDone: read.bytesTotal });
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  const graphs = decoder === 'kv-rows' ? ['vision_encoder', 'decoder_model_merged'] : ['vision_encoder', 'embed_tokens', 'decoder_model_merged'];
  return { outDir: to, modelType: cfg.modelType, graphs, seconds: (Date.now() - started) / 1000 };
}
