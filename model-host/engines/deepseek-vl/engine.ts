/**
 * The DeepSeek-VL runtime over a converted folder (see `convert/deepseek-vl/converter.ts`): three
 * onnxruntime-node sessions (vision_encoder, embed_tokens, decoder_model_merged), the inputs from
 * the checkpoint's own processor files (`processor.ts`: chat template, tokenizer, image processor),
 * image features scattered into the token embeddings, and our own generation loop with the KV cache
 * fed back (kept on the GPU on webgpu), streaming deltas and cancellation between decode steps.
 */
import { readFileSync } from 'node:fs';
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
  };
  visual_coder: { family: string; format?: number; hybrid?: boolean; source?: string };
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

  static async load(dir: string, device: DevicePreference | DeviceKind, log: Log): Promise<DeepseekVlEngine> {
    const started = now();
    const config = readConvertedConfig(dir);
    const processor = await DeepseekVlProcessor.load(dir, log);
    if (processor.imageTokenId !== config.image_token_id) {
      throw new ModelFolderError(`${dir}: the tokenizer's image token is id ${processor.imageTokenId} but config.json says ${config.image_token_id}`);
    }
    if (processor.files.numImageTokens !== config.num_image_tokens) {
      throw new ModelFolderError(
        `${dir}: the processor expands an image to ${processor.files.numImageTokens} tokens but the vision graph gives ${config.num_image_tokens}`,
      );
    }
    const { device: used, sessions } = await createSessions(DeepseekVlEngine.specs(dir, config), device, log);
    return new DeepseekVlEngine(dir, config, processor, sessions, used, log, now() - started);
  }

  private static specs(dir: string, config: ConvertedConfig): SessionSpec[] {
    const onnx = (n: string) => join(dir, 'onnx', `${n}.onnx`);
    // The KV cache stays on the GPU between steps (webgpu only); logits come back to the CPU for sampling.
    const present = Array.from({ length: config.text_config.num_hidden_layers }, (_, i) => [`present.${i}.key`, `present.${i}.value`]).flat();
    return [
      { name: 'vision_encoder', path: onnx('vision_encoder') },
      { name: 'embed_tokens', path: onnx('embed_tokens') },
      { name: 'decoder', path: onnx('decoder_model_merged'), gpuOutputs: present },
    ];
  }

  async generate(input: GenerateInput, ctx: GenerateContext): Promise<GenerateOutput> {
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

  private async embed(ids: number[]): Promise<Float32Array> {
    const out = await this.sessions.embed_tokens.run({ input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]) });
    return out.inputs_embeds.data as Float32Array;
  }

  private async run(inputs: RawInputs, generation: GenerationOptions, ctx: GenerateContext): Promise<GenerateOutput> {
    const t0 = now();
    const timings: Timings = { totalMs: 0, loadMs: this.loadMs };
    const H = this.config.text_config.hidden_size;
    const ids = inputs.inputIds;
    const embeds = await this.embed(ids);
    const imagePositions = ids.flatMap((id, i) => (id === this.config.image_token_id ? [i] : []));
    if (inputs.pixelValues) {
      const tv = now();
      const features = (await this.encodeImage(inputs)).image_features.data as Float32Array;
      timings.visionMs = now() - tv;
      const n = features.length / H;
      if (imagePositions.length !== n) {
        throw new Error(`the prompt has ${imagePositions.length} image tokens but the image gives ${n} features`);
      }
      imagePositions.forEach((pos, k) => embeds.set(features.subarray(k * H, (k + 1) * H), pos * H));
    } else if (imagePositions.length) {
      throw new Error(`the prompt has ${imagePositions.length} image tokens but no image was given`);
    }

    // The decoder's RoPE tables end at max_position_embeddings: never ask for a position past them.
    const maxPositions = this.config.text_config.max_position_embeddings ?? Infinity;
    if (ids.length > maxPositions) {
      throw new HostError(HostErrorCodes.InvalidParams, `the prompt has ${ids.length} tokens; this model takes at most ${maxPositions}`, {
        limit: maxPositions,
        kind: 'context_length_exceeded',
      });
    }
    const maxNew = Math.min(generation.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS, maxPositions - ids.length + 1);
    const stream = new TextStream((t) => this.processor.decode(t), generation.stop ?? []);
    const generated: number[] = [];
    let past = this.emptyPast();
    let total = ids.length;
    let stepEmbeds = embeds;
    let stepLen = ids.length;
    let finishReason: GenerateOutput['finishReason'] = 'length';
    let decodeStart = 0;
    const keepsLogits = this.sessions.decoder.inputNames.includes('num_logits_to_keep');
    try {
      for (let step = 0; generated.length < maxNew; step++) {
        if (ctx.isCancelled()) {
          finishReason = 'cancelled';
          break;
        }
        const ts = now();
        const feeds: Record<string, ort.Tensor> = {
          inputs_embeds: new ort.Tensor('float32', stepEmbeds, [1, stepLen, H]),
          attention_mask: new ort.Tensor('int64', new BigInt64Array(total).fill(1n), [1, total]),
          position_ids: new ort.Tensor(
            'int64',
            BigInt64Array.from({ length: stepLen }, (_, i) => BigInt(total - stepLen + i)),
            [1, stepLen],
          ),
          ...past,
        };
        // Only the last position's logits are sampled: lm_head over the whole prompt would be wasted work.
        // Folders converted before the input existed lack it and return every position.
        if (keepsLogits) feeds.num_logits_to_keep = new ort.Tensor('int64', BigInt64Array.of(1n), []);
        const out = await this.sessions.decoder.run(feeds);
        disposeAll(past);
        past = presentToPast(out);
        const logits = out.logits.data as Float32Array;
        const V = out.logits.dims[2];
        const token = chooseToken(logits.subarray(logits.length - V), { temperature: generation.temperature, topP: generation.topP });
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
        stepEmbeds = await this.embed([token]);
        stepLen = 1;
        total += 1;
      }
    } finally {
      disposeAll(past);
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

  private emptyPast(): Record<string, ort.Tensor> {
    const t = this.config.text_config;
    const past: Record<string, ort.Tensor> = {};
    for (let i = 0; i < t.num_hidden_layers; i++) {
      for (const kv of ['key', 'value']) {
        past[`past_key_values.${i}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [1, t.num_key_value_heads, 0, t.head_dim]);
      }
    }
    return past;
  }

  async dispose(): Promise<void> {
    await releaseAll(this.sessions);
  }
}

function presentToPast(out: Record<string, ort.Tensor>): Record<string, ort.Tensor> {
  const past: Record<string, ort.Tensor> = {};
  for (const [name, tensor] of Object.entries(out)) {
    if (name.startsWith('present.')) past[name.replace('present.', 'past_key_values.')] = tensor;
  }
  return past;
}

/** Frees GPU-resident KV tensors we no longer feed (cpu tensors have nothing to free). */
function disposeAll(tensors: Record<string, ort.Tensor>): void {
  for (const t of Object.values(tensors)) if (t.location === 'gpu-buffer') t.dispose();
}
