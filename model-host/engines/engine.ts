/**
 * What every text-producing engine offers the task runner: the local VLM engine (DeepSeek-VL and the
 * transformers.js families) and the remote OpenAI-compatible engine implement it. Tasks build a
 * `ChatPrompt`; each engine formats it with its own chat template and image-token handling.
 */
import type { DeviceKind, GenerationOptions, LogLevel, Timings } from '../protocol';
import type { LoadedImage } from '../images/load-image';

export type { LoadedImage };

/** One user turn with at most one image, which goes before the text. */
export interface ChatPrompt {
  system?: string;
  user: string;
}

export interface GenerateInput {
  prompt: ChatPrompt;
  image?: LoadedImage;
  generation: GenerationOptions;
}

export interface GenerateContext {
  /** Checked between decode steps; true once the client cancelled. */
  isCancelled(): boolean;
  /** Called with each new piece of decoded text, in order. */
  onText(delta: string): void;
  log(level: LogLevel, message: string): void;
}

export interface GenerateOutput {
  text: string;
  tokens?: number[];
  /** `error`: the output stopped early (e.g. a remote stream cut off); `text` keeps what came, `error` says why. */
  finishReason: 'stop' | 'length' | 'cancelled' | 'error';
  error?: string;
  timings: Timings;
}

export interface TextEngine {
  /** e.g. `deepseek-vl`, `janus`, `qwen2-vl`, `remote`. Task prompts are chosen by it. */
  readonly family: string;
  /** Model name for results and the status bar. */
  readonly modelName: string;
  readonly device: DeviceKind | 'remote';
  generate(input: GenerateInput, ctx: GenerateContext): Promise<GenerateOutput>;
  dispose(): Promise<void>;
}
