/**
 * The DeepSeek-VL runtime over a converted folder (see `convert/deepseek-vl/converter.ts`):
 * onnxruntime-node sessions for the vision encoder and the decoder (plus embed_tokens for the
 * op-by-op decoder), the inputs from the checkpoint's own processor files (`processor.ts`: chat
 * template, tokenizer, image processor), and our own generation loop over a decoder stepper
 * (decoder-steppers.ts: the cache kept here or on the GPU), streaming deltas and cancellation
 * between decode steps.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { DeviceKind, DevicePreference, GenerationOptions, Timings } from '../../protocol';
import { HostError, HostErrorCodes } from '../../protocol/errors';
import type { GenerateContext, GenerateInput, GenerateOutput, TextEngine } from '../engine';
import { ModelFolderError } from '../model-folder';
import { createSessions, type Log, releaseAll, type SessionSet, type SessionSpec } from '../ort-sessions';
import { chooseToken } from '../decoding/sampling';
import { TextStream } from '../decoding/text-stream';
import { DeepseekVlProcessor } from './processor';
import { SAFE_WEBGPU_RUN, webgpuLongRunsAreRight } from './webgpu-attention-check';
import { type DecoderStepper, type ImageEmbedding, isKvRowsDecoder, KvRowsStepper, OpByOpStepper } from './decoder-steppers';

/**
 * Prompt positions per decoder run on the CPU. The runtime's arena keeps the largest run's
 * activations for the session's life: the 1.3B q4 with a 617-token prompt peaked at 2.44 GiB in one
 * run and 1.88 GiB in runs of 128, with no slower prefill (docs/performance.md).
 */
const CPU_PREFILL_RUN = 128;

/** Why prompts cannot be built for this folder: its tokenizer and config.json disagree on the image token. */
function imageTokenMismatch(dir: string, processor: DeepseekVlProcessor, config: ConvertedConfig): string | undefined {
  if (processor.imageTokenId === config.image_token_id) return undefined;
  return `${dir}: the tokenizer's image token is id ${processor.imageTokenId} but config.json says ${config.image_token_id}`;
}

export interface ConvertedConfig {
  image_token_id: number;
  num_image_tokens: number;
  text_config: {
    hidden_size: number;
    num_hidden_layers: number;
    num_key_value_heads: number;
    head_dim: number;
    bos_token_id: number;
    eos_token_id: number | number[];
    max_position_embeddings?: number;
    vocab_size: number;
  };
  visual_coder: { family: string; format?: number; hybrid?: boolean; source?: string; dtype?: string; kv_dtype?: 'fp16' | 'fp32'; present_outputs?: boolean };
}

/**
 * The converted-folder layout this runtime reads. 2: the checkpoint's processor files are copied
 * as they are (1 wrote a chat template of its own into tokenizer_config.json).
 */
export const CONVERTED_FORMAT_VERSION = 2;

export function readConvertedConfig(dir: string): ConvertedConfig {
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as ConvertedConfig;
  const format = config.visual_coder?.format ?? 1;
  if (format < CONVERTED_FORMAT_VERSION) {
    const from = config.visual_coder?.source ?? 'the checkpoint folder';
    throw new ModelFolderError(
      `${dir} was converted by an older Visual Coder (format ${format}); convert it again: model-host convert --from ${from} --to ${dir} --overwrite`,
    );
  }
  return config;
}

/** Model inputs with preprocessing and the chat template already done (parity tests, `run --input-ids`). */
export interface RawInputs {
  inputIds: number[];
  pixelValues?: { data: Float32Array; dims: number[] };
  highResPixelValues?: { data: Float32Array; dims: number[] };
}

const DEFAULT_MAX_NEW_TOKENS = 512;
const now = () => performance.now();

export class DeepseekVlEngine implements TextEngine {
  readonly family = 'deepseek-vl';
  readonly modelName: string;
  private readonly eos: Set<number>;
  /** KV cache bytes the last generation ended with (bench figures). */
  lastKvCacheBytes = 0;
  /** Longest prompt run (0: the whole prompt in one run); see webgpu-attention-check.ts. */
  private prefillChunk = 0;

  private constructor(
    readonly dir: string,
    private readonly config: ConvertedConfig,
    readonly processor: DeepseekVlProcessor,
    private sessions: SessionSet,
    public device: DeviceKind,
    private readonly log: Log,
    readonly loadMs: number,
  ) {
    this.modelName = config.visual_coder.source?.split(/[\\/]/).pop() ?? dir;
    const eos = config.text_config.eos_token_id;
    this.eos = new Set(Array.isArray(eos) ? eos : [eos]);
  }

  /**
   * `tokenIdsOnly`: the caller feeds token ids itself (`generateFromInputs`: benchmarks, parity), so a
   * tokenizer that disagrees with config.json about the image token (benchmark checkpoints borrow a
   * small tokenizer) is only logged, and prompts are refused instead.
   */
  static async load(dir: string, device: DevicePreference | DeviceKind, log: Log, options: { tokenIdsOnly?: boolean } = {}): Promise<DeepseekVlEngine> {
    const started = now();
    const config = readConvertedConfig(dir);
    const processor = await DeepseekVlProcessor.load(dir, log);
    const mismatch = imageTokenMismatch(dir, processor, config);
    if (mismatch && !options.tokenIdsOnly) throw new ModelFolderError(mismatch);
    if (mismatch) log('warn', `${mismatch}; this engine takes token ids only`);
    if (processor.files.numImageTokens !== config.num_image_tokens) {
      throw new ModelFolderError(
        `${dir}: the processor expands an image to ${processor.files.numImageTokens} tokens but the vision graph gives ${config.num_image_tokens}`,
      );
    }
    const { device: used, sessions } = await createSessions(DeepseekVlEngine.specs(dir, config), device, log);
    const engine = new DeepseekVlEngine(dir, config, processor, sessions, used, log, now() - started);
    await engine.choosePrefillRuns();
    return engine;
  }

  private static specs(dir: string, config: ConvertedConfig): SessionSpec[] {
    const onnx = (n: string) => join(dir, 'onnx', `${n}.onnx`);
    // The KV cache stays on the GPU between steps (webgpu only); logits come back to the CPU for sampling.
    // Folders from before present_outputs existed always returned the whole cache.
    const hasPresent = config.visual_coder.present_outputs ?? true;
    const present = hasPresent ? Array.from({ length: config.text_config.num_hidden_layers }, (_, i) => [`present.${i}.key`, `present.${i}.value`]).flat() : [];
    // The kv-rows decoder gathers its own embeddings: its folders have no embed_tokens graph.
    const embed = existsSync(onnx('embed_tokens')) ? [{ name: 'embed_tokens', path: onnx('embed_tokens') }] : [];
    return [{ name: 'vision_encoder', path: onnx('vision_encoder') }, ...embed, { name: 'decoder', path: onnx('decoder_model_merged'), gpuOutputs: present }];
  }

  async generate(input: GenerateInput, ctx: GenerateContext): Promise<GenerateOutput> {
    const mismatch = imageTokenMismatch(this.dir, this.processor, this.config);
    if (mismatch) throw new ModelFolderError(mismatch);
    const t0 = now();
    const inputs = await this.processor.inputs(input.prompt, input.image);
    ctx.log('debug', `prompt: ${inputs.inputIds.length} tokens`);
    const raw: RawInputs = { inputIds: inputs.inputIds, pixelValues: inputs.pixels?.pixelValues, highResPixelValues: inputs.pixels?.highResPixelValues };
    const out = await this.generateFromInputs(raw, input.generation, ctx);
    out.timings.preprocessMs = now() - t0 - out.timings.totalMs;
    out.timings.totalMs = now() - t0;
    return out;
  }

  /** Runs with ids and pixel values as given; on a first-run failure off cpu, retries once on cpu. */
  async generateFromInputs(inputs: RawInputs, generation: GenerationOptions, ctx: GenerateContext): Promise<GenerateOutput> {
    try {
      return await this.run(inputs, generation, ctx);
    } catch (e) {
      if (this.device === 'cpu' || ctx.isCancelled()) throw e;
      this.log('warn', `inference on ${this.device} failed (${(e as Error).message.split('\n')[0]}); falling back to cpu`);
      await releaseAll(this.sessions);
      const { device, sessions } = await createSessions(DeepseekVlEngine.specs(this.dir, this.config), 'cpu', this.log);
      this.sessions = sessions;
      this.device = device;
      await this.choosePrefillRuns();
      return this.run(inputs, generation, ctx);
    }
  }

  /** Image features [n_img_tokens, hidden] (+ the SigLIP output) for one image. */
  async encodeImage(inputs: RawInputs): Promise<Record<string, ort.Tensor>> {
    if (!inputs.pixelValues) throw new Error('no pixel values');
    const feeds: Record<string, ort.Tensor> = { pixel_values: new ort.Tensor('float32', inputs.pixelValues.data, inputs.pixelValues.dims) };
    if (this.config.visual_coder.hybrid) {
      if (!inputs.highResPixelValues) throw new Error('this hybrid model needs high-res pixel values (--high-res-pixel-values)');
      feeds.high_res_pixel_values = new ort.Tensor('float32', inputs.highResPixelValues.data, inputs.highResPixelValues.dims);
    }
    return this.sessions.vision_encoder.run(feeds);
  }

  /**
   * Prompts in runs of CPU_PREFILL_RUN on the CPU, and of 31 on a WebGPU device whose attention is
   * wrong for longer runs (webgpu-attention-check.ts).
   */
  private async choosePrefillRuns(): Promise<void> {
    this.prefillChunk = 0;
    if (!isKvRowsDecoder(this.sessions.decoder)) return;
    if (this.device === 'cpu') {
      this.prefillChunk = CPU_PREFILL_RUN;
    } else if (this.device === 'webgpu' && !(await webgpuLongRunsAreRight())) {
      this.prefillChunk = SAFE_WEBGPU_RUN;
      this.log('info', `WebGPU attention is wrong for runs of 32+ positions on this device: prompts go in runs of ${SAFE_WEBGPU_RUN}`);
    }
  }

  /** The stepper for this folder's decoder (kv-rows or op-by-op). */
  private stepper(): DecoderStepper {
    const t = this.config.text_config;
    const shape = { hidden: t.hidden_size, layers: t.num_hidden_layers, kvHeads: t.num_key_value_heads, headDim: t.head_dim };
    if (isKvRowsDecoder(this.sessions.decoder)) {
      return new KvRowsStepper(
        this.sessions.decoder,
        shape,
        this.config.visual_coder.kv_dtype === 'fp16',
        this.device === 'webgpu',
        this.config.text_config.vocab_size,
        this.prefillChunk,
      );
    }
    return new OpByOpStepper(this.sessions.embed_tokens, this.sessions.decoder, shape);
  }

  /** The image's features and the placeholder positions they go to (none without pixel values). */
  private async imageEmbedding(inputs: RawInputs, timings?: Timings): Promise<ImageEmbedding | undefined> {
    const H = this.config.text_config.hidden_size;
    const ids = inputs.inputIds;
    const positions = ids.flatMap((id, i) => (id === this.config.image_token_id ? [i] : []));
    if (!inputs.pixelValues) {
      if (positions.length) throw new Error(`the prompt has ${positions.length} image tokens but no image was given`);
      return undefined;
    }
    const tv = now();
    const features = (await this.encodeImage(inputs)).image_features.data as Float32Array;
    if (timings) timings.visionMs = now() - tv;
    const n = features.length / H;
    if (positions.length !== n) throw new Error(`the prompt has ${positions.length} image tokens but the image gives ${n} features`);
    return { features, positions };
  }

  /**
   * Teacher forcing: the logits after the prompt and after each token of `continuation`, fed whatever
   * this model would pick. Compares dtypes position by position (bench --synthetic, the dtype tests).
   */
  async logitsAlong(inputs: RawInputs, continuation: number[]): Promise<Float32Array[]> {
    const image = await this.imageEmbedding(inputs);
    const stepper = this.stepper();
    try {
      const out = [Float32Array.from(await stepper.prefill(inputs.inputIds, image))];
      for (const token of continuation) out.push(Float32Array.from(await stepper.step(token)));
      return out;
    } finally {
      stepper.dispose();
    }
  }

  private async run(inputs: RawInputs, generation: GenerationOptions, ctx: GenerateContext): Promise<GenerateOutput> {
    const t0 = now();
    const timings: Timings = { totalMs: 0, loadMs: this.loadMs };
    const ids = inputs.inputIds;
    // The decoder's RoPE tables end at max_position_embeddings: never ask for a position past them.
    const maxPositions = this.config.text_config.max_position_embeddings ?? Infinity;
    if (ids.length > maxPositions) {
      throw new HostError(HostErrorCodes.InvalidParams, `the prompt has ${ids.length} tokens; this model takes at most ${maxPositions}`, {
        limit: maxPositions,
        kind: 'context_length_exceeded',
      });
    }
    const image = await this.imageEmbedding(inputs, timings);
    const maxNew = Math.min(generation.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS, maxPositions - ids.length + 1);
    const stream = new TextStream((t) => this.processor.decode(t), generation.stop ?? []);
    const generated: number[] = [];
    const stepper = this.stepper();
    let finishReason: GenerateOutput['finishReason'] = 'length';
    let decodeStart = 0;
    try {
      for (let step = 0; generated.length < maxNew; step++) {
        if (ctx.isCancelled()) {
          finishReason = 'cancelled';
          break;
        }
        const ts = now();
        const logits = step === 0 ? await stepper.prefill(ids, image) : await stepper.step(generated[generated.length - 1]);
        const token = chooseToken(logits, { temperature: generation.temperature, topP: generation.topP });
        if (step === 0) {
          timings.prefillMs = now() - ts;
          decodeStart = now();
        }
        if (this.eos.has(token)) {
          finishReason = 'stop';
          break;
        }
        generated.push(token);
        const delta = stream.push(generated);
        if (delta) ctx.onText(delta);
        if (stream.stopped) {
          finishReason = 'stop';
          break;
        }
      }
    } finally {
      this.lastKvCacheBytes = stepper.cacheBytes;
      stepper.dispose();
    }
    const rest = stream.stopped ? '' : stream.flush();
    if (rest) ctx.onText(rest);
    const decodeMs = decodeStart ? now() - decodeStart : 0;
    timings.decodeMs = decodeMs;
    // The first token comes from the prefill; the rest are decode steps.
    if (generated.length > 1 && decodeMs > 0) timings.decodeTokensPerSecond = ((generated.length - 1) * 1000) / decodeMs;
    timings.totalMs = now() - t0;
    return { text: stream.fullText, tokens: generated, finishReason, timings };
  }

  async dispose(): Promise<void> {
    await releaseAll(this.sessions);
  }
}
