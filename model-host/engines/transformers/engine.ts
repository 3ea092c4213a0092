/**
 * The local engine for published transformers.js VLM repos (Janus / Janus-Pro, Qwen2-VL): their
 * model classes and processors drive the ONNX sessions; we choose files, dtypes and devices
 * (`transformers-families.ts`), build the prompt, and wrap streaming, stop strings and
 * cancellation (a stopping criterion polled after every token).
 *
 * These repos cannot be downloaded on the build machine, so this path is checked by unit tests of
 * its pure parts only; the DeepSeek-VL path (`deepseek-vl-engine.ts`) is the one with parity tests.
 */
import { DEVICE_KINDS, type DeviceKind, type DevicePreference, type GenerationOptions } from '../../protocol';
import type { GenerateContext, GenerateInput, GenerateOutput, TextEngine } from '../engine';
import { deviceCandidates, type Log } from '../ort-sessions';
import { TextStream } from '../decoding/text-stream';
import { transformersModule } from '../transformers-js';
import { FAMILY_MODEL_CLASS, janusConversation, qwen2VlPrompt, selectFiles, type TransformersFamily } from './families';
import { type ChatTemplate, readChatTemplate, templateMessages } from '../chat-template';
import type { ChatPrompt } from '../engine';

/** The few members of transformers.js objects we touch (its own typings are not worth the coupling). */
export interface TjsTokenizer {
  decode(ids: number[] | bigint[], opts?: { skip_special_tokens?: boolean }): string;
  apply_chat_template?(messages: unknown, options: Record<string, unknown>): unknown;
}

/**
 * Qwen2-VL's prompt text: the checkpoint's own chat template (rendered by transformers.js) where the folder has
 * one, else the ChatML layout of `qwen2VlPrompt`.
 */
export function qwen2VlPromptText(tokenizer: TjsTokenizer, template: ChatTemplate | undefined, prompt: ChatPrompt, hasImage: boolean): string {
  if (!template || !tokenizer.apply_chat_template) return qwen2VlPrompt(prompt, hasImage);
  const text = tokenizer.apply_chat_template(templateMessages(prompt, hasImage), {
    chat_template: template.template,
    add_generation_prompt: true,
    tokenize: false,
  });
  if (typeof text !== 'string') throw new Error('the chat template did not render to text');
  return text;
}
export interface TjsProcessor {
  tokenizer: TjsTokenizer;
  (...args: unknown[]): Promise<Record<string, unknown> & { input_ids: { dims: number[] } }>;
}
export interface TjsModel {
  generate(args: Record<string, unknown>): Promise<{ tolist(): bigint[][] }>;
  dispose(): Promise<unknown>;
}

export class TransformersVlmEngine implements TextEngine {
  readonly modelName: string;

  private constructor(
    readonly family: TransformersFamily,
    readonly device: DeviceKind,
    private readonly model: TjsModel,
    private readonly processor: TjsProcessor,
    private readonly eos: Set<number>,
    dir: string,
    private readonly template: ChatTemplate | undefined = undefined,
  ) {
    this.modelName = dir.split(/[\\/]/).filter(Boolean).pop() ?? dir;
  }

  static async load(dir: string, family: TransformersFamily, pref: DevicePreference | DeviceKind, log: Log): Promise<TransformersVlmEngine> {
    const tjs = await transformersModule();
    const processor = (await tjs.AutoProcessor.from_pretrained(dir, { local_files_only: true })) as unknown as TjsProcessor;
    const cls = tjs[FAMILY_MODEL_CLASS[family]] as unknown as { from_pretrained(d: string, o: Record<string, unknown>): Promise<TjsModel> };
    let lastError: unknown;
    for (const device of deviceCandidates(pref).filter((d) => DEVICE_KINDS.includes(d))) {
      // fp16 variants first where present, then (after an fp16 failure) without them.
      for (const noFp16 of device === 'cpu' ? [false] : [false, true]) {
        try {
          const sel = selectFiles(dir, family, device, { noFp16 });
          const model = await cls.from_pretrained(dir, { dtype: sel.dtype, device: sel.device, local_files_only: true });
          log('info', `${family} loaded on ${device}: ${sel.files.join(', ')}`);
          const gen = (model as unknown as { generation_config?: { eos_token_id?: number | number[] } }).generation_config;
          const eos = gen?.eos_token_id;
          const template = family === 'qwen2-vl' ? readChatTemplate(dir) : undefined;
          if (family === 'qwen2-vl' && !template) log('info', `${dir} has no chat template; using Qwen2-VL's ChatML layout`);
          return new TransformersVlmEngine(family, device, model, processor, new Set(Array.isArray(eos) ? eos : eos === undefined ? [] : [eos]), dir, template);
        } catch (e) {
          lastError = e;
          log('warn', `could not load ${family} on ${device}${noFp16 ? ' without fp16' : ''} (${(e as Error).message.split('\n')[0]}); falling back`);
        }
      }
    }
    throw new Error(`could not load ${dir}: ${(lastError as Error)?.message}`);
  }

  /** Wraps an already loaded model and processor (tests drive the streaming/cancel path with fakes). */
  static fromParts(
    family: TransformersFamily,
    device: DeviceKind,
    model: TjsModel,
    processor: TjsProcessor,
    eos: number[],
    dir = family,
  ): TransformersVlmEngine {
    return new TransformersVlmEngine(family, device, model, processor, new Set(eos), dir);
  }

  async generate(input: GenerateInput, ctx: GenerateContext): Promise<GenerateOutput> {
    const t0 = performance.now();
    const tjs = await transformersModule();
    const image = input.image ? await tjs.RawImage.fromBlob(new Blob([new Uint8Array(input.image.png)])) : undefined;
    const inputs =
      this.family === 'janus'
        ? await this.processor(janusConversation(input.prompt, !!image), { images: image ? [image] : [] })
        : await this.processor(qwen2VlPromptText(this.processor.tokenizer, this.template, input.prompt, !!image), image ?? null);
    const promptLength = inputs.input_ids.dims[1];
    const g: GenerationOptions = input.generation;
    const stream = new TextStream((ids) => this.processor.tokenizer.decode(ids, { skip_special_tokens: true }), g.stop ?? []);
    const generated: number[] = [];
    const stopper = new tjs.InterruptableStoppingCriteria();
    const streamer = new tjs.TextStreamer(this.processor.tokenizer as never, {
      skip_prompt: true,
      // Its default writes to stdout, which is the JSON-RPC channel in `serve`: text goes through TextStream instead.
      callback_function: () => undefined,
      token_callback_function: (tokens: bigint[]) => {
        for (const t of tokens) if (!this.eos.has(Number(t))) generated.push(Number(t));
        const delta = stream.push(generated);
        if (delta) ctx.onText(delta);
        if (stream.stopped || ctx.isCancelled()) stopper.interrupt();
      },
    });
    const tPrefill = performance.now();
    const outputs = await this.model.generate({
      ...inputs,
      max_new_tokens: g.maxNewTokens ?? 512,
      do_sample: (g.temperature ?? 0) > 0,
      ...((g.temperature ?? 0) > 0 ? { temperature: g.temperature, top_p: g.topP ?? 1 } : {}),
      streamer,
      stopping_criteria: stopper,
    });
    const all = outputs.tolist()[0].map(Number).slice(promptLength);
    const tokens = all.filter((t) => !this.eos.has(t));
    if (!stream.stopped) {
      stream.push(tokens);
      const rest = stream.flush();
      if (rest) ctx.onText(rest);
    }
    const finishReason: GenerateOutput['finishReason'] = ctx.isCancelled() ? 'cancelled' : stream.stopped || tokens.length < all.length ? 'stop' : 'length';
    const totalMs = performance.now() - t0;
    const genMs = performance.now() - tPrefill;
    return {
      text: stream.fullText,
      tokens,
      finishReason,
      timings: { totalMs, decodeMs: genMs, decodeTokensPerSecond: tokens.length > 0 ? (tokens.length * 1000) / genMs : undefined },
    };
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}
