/**
 * What the HTTP server needs from a model: its name and a streamed generate that can be aborted.
 * In the host it is the engine worker (job kind `chat`), so inference stays off the thread that
 * answers HTTP and requests queue one at a time like every other job.
 */
import type { GenerationOptions } from '../protocol';
import type { ChatPrompt, GenerateOutput, LoadedImage } from '../engines/engine';
import type { EngineWorkerClient } from '../worker/client';
import type { ChatJobPayload, ChatJobEvent } from '../worker/jobs/chat-job-types';
import type { ModelSettings } from '../models/resolve-model';

export interface ChatBackendRequest {
  prompt: ChatPrompt;
  image?: LoadedImage;
  generation: GenerationOptions;
}

export interface ChatBackend {
  /** The id clients pass as `model` and see in `/v1/models`. */
  readonly modelId: string;
  generate(request: ChatBackendRequest, onText: (delta: string) => void, signal: AbortSignal): Promise<GenerateOutput>;
}

/** Runs each request as a `chat` job in the engine worker; aborting the signal cancels the job. */
export class WorkerChatBackend implements ChatBackend {
  constructor(
    private readonly worker: EngineWorkerClient,
    private readonly settings: ModelSettings,
    readonly modelId: string,
  ) {}

  generate(request: ChatBackendRequest, onText: (delta: string) => void, signal: AbortSignal): Promise<GenerateOutput> {
    const payload: ChatJobPayload = {
      settings: this.settings,
      prompt: request.prompt,
      generation: request.generation,
      image: request.image && { ...request.image, png: request.image.png.toString('base64') },
    };
    return this.worker.run<GenerateOutput>(
      'chat',
      payload,
      { label: 'http chat', onEvent: (event) => onText((event as ChatJobEvent).text) },
      {
        onCancel(cb) {
          if (signal.aborted) cb();
          else signal.addEventListener('abort', cb, { once: true });
        },
      },
    );
  }
}
