/**
 * The remote engine: a `TextEngine` over an OpenAI-compatible chat-completions server, streamed as
 * Server-Sent Events. Text is handed on as each chunk arrives; a cancel aborts the HTTP request (the
 * server then stops generating); a stream that ends without `[DONE]` keeps the text received and
 * reports `finishReason: 'error'` with the reason.
 */
import type { BackendConfig, Timings } from '../../protocol';
import type { GenerateContext, GenerateInput, GenerateOutput, TextEngine } from '../engine';
import { buildChatRequest } from './chat-request';
import { DEFAULT_MAX_IMAGE_SIDE, imageForRemote } from './image-for-remote';
import { postChatCompletions, readAll, type OpenResponse, type RemoteHttpOptions } from './openai-http';
import { RemoteError, endpointHost, serverMessage } from './remote-errors';
import { SseParser, type SseEvent } from './sse-parser';

/** Timeouts and retries; the defaults suit a real server, tests shorten them. */
export type RemoteEngineOptions = Pick<RemoteHttpOptions, 'connectTimeoutMs' | 'idleTimeoutMs' | 'maxRetries' | 'maxRetryWaitMs'> & {
  /** How often the job's cancel flag is checked while waiting on the network. */
  cancelPollMs?: number;
};

interface StreamChunk {
  choices?: { delta?: { content?: unknown }; message?: { content?: unknown }; finish_reason?: unknown }[];
  usage?: { completion_tokens?: unknown };
  error?: unknown;
}

class Cancelled extends Error {}

export function createRemoteEngine(config: BackendConfig, options: RemoteEngineOptions = {}): TextEngine {
  if (!config.endpoint) {
    throw new RemoteError('No remote endpoint is set: set visualCoder.remote.endpoint (or pass --endpoint), e.g. http://127.0.0.1:8000/v1.');
  }
  if (!config.model) {
    throw new RemoteError('No remote model is set: run "Visual Coder: Choose Remote Model" or set visualCoder.remote.model (or pass --model).');
  }
  const endpoint = config.endpoint;
  const model = config.model;
  const maxImageSide = config.maxImageSide ?? DEFAULT_MAX_IMAGE_SIDE;

  async function generate(input: GenerateInput, ctx: GenerateContext): Promise<GenerateOutput> {
    const started = performance.now();
    const controller = new AbortController();
    const poll = setInterval(() => {
      if (ctx.isCancelled()) controller.abort(new Cancelled('cancelled'));
    }, options.cancelPollMs ?? 50);
    let text = '';
    let firstTextAt: number | undefined;
    let completionTokens: number | undefined;
    const timings = (): Timings => {
      const now = performance.now();
      const decodeMs = firstTextAt !== undefined ? now - firstTextAt : undefined;
      return {
        totalMs: now - started,
        prefillMs: firstTextAt !== undefined ? firstTextAt - started : undefined,
        decodeMs,
        decodeTokensPerSecond: completionTokens && decodeMs ? (completionTokens / decodeMs) * 1000 : undefined,
      };
    };
    const cancelled = (): GenerateOutput => ({ text, finishReason: 'cancelled', timings: timings() });

    let opened: OpenResponse | undefined;
    try {
      const image = input.image ? await imageForRemote(input.image, maxImageSide) : undefined;
      if (image?.downscaled) {
        ctx.log('debug', `image downscaled to ${image.width}×${image.height} for the server (visualCoder.remote.maxImageSide = ${maxImageSide})`);
      }
      const body = buildChatRequest(model, input, image?.url);
      try {
        opened = await postChatCompletions(
          body,
          {
            endpoint,
            apiKey: config.apiKey,
            signal: controller.signal,
            ...options,
            onRetry: (attempt, waitMs) => ctx.log('info', `${endpointHost(endpoint)} answered 429; retry ${attempt} in ${(waitMs / 1000).toFixed(1)} s`),
          },
          { model, maxImageSide },
        );
      } catch (err) {
        if (controller.signal.aborted && controller.signal.reason instanceof Cancelled) return cancelled();
        throw err;
      }

      let finish: GenerateOutput['finishReason'] | undefined;
      let sawDone = false;
      const onChunk = (chunk: StreamChunk) => {
        if (chunk.error !== undefined) {
          throw new RemoteError(`The server at ${endpointHost(endpoint)} reported an error while generating: ${serverMessage(JSON.stringify(chunk))}`);
        }
        const choice = chunk.choices?.[0];
        const piece = choice?.delta?.content ?? choice?.message?.content;
        if (typeof piece === 'string' && piece.length > 0) {
          firstTextAt ??= performance.now();
          text += piece;
          ctx.onText(piece);
        }
        if (typeof choice?.finish_reason === 'string') finish = choice.finish_reason === 'length' ? 'length' : 'stop';
        if (typeof chunk.usage?.completion_tokens === 'number') completionTokens = chunk.usage.completion_tokens;
      };
      const onEvent = (event: SseEvent) => {
        if (sawDone) return;
        if (event.data.trim() === '[DONE]') {
          sawDone = true;
          return;
        }
        let chunk: StreamChunk;
        try {
          chunk = JSON.parse(event.data) as StreamChunk;
        } catch {
          throw new RemoteError(`The server at ${endpointHost(endpoint)} sent a stream event that is not JSON: ${event.data.slice(0, 120)}`);
        }
        onChunk(chunk);
      };

      // A server that ignores `stream: true` answers one JSON object; accept it.
      if ((opened.response.headers.get('content-type') ?? '').includes('application/json')) {
        const body = await readAll(opened);
        let chunk: StreamChunk;
        try {
          chunk = JSON.parse(body) as StreamChunk;
        } catch {
          throw new RemoteError(`The server at ${endpointHost(endpoint)} answered with JSON that does not parse: ${body.slice(0, 120)}`);
        }
        onChunk(chunk);
        return { text, finishReason: finish ?? 'stop', timings: timings() };
      }

      const parser = new SseParser();
      let cutBy: string | undefined;
      try {
        for (;;) {
          const bytes = await opened.read();
          if (!bytes) break;
          for (const event of parser.push(bytes)) onEvent(event);
          if (sawDone) break;
        }
      } catch (err) {
        if (controller.signal.aborted && controller.signal.reason instanceof Cancelled) return cancelled();
        if (!(err instanceof RemoteError) || err.status !== undefined) throw err;
        cutBy = err.message;
      }
      if (!sawDone && cutBy === undefined) {
        for (const event of parser.end().events) onEvent(event);
      }
      // Some servers end with a finish_reason and close without `[DONE]`: that output is complete.
      if (sawDone || (finish !== undefined && cutBy === undefined)) {
        return { text, finishReason: finish ?? 'stop', timings: timings() };
      }
      const error =
        `The server at ${endpointHost(endpoint)} stopped the stream before it finished` +
        `${cutBy ? ` (${cutBy.replace(/\.$/, '')})` : ' (the connection closed without [DONE])'}. ` +
        `The ${text.length} characters received are kept; run the command again to retry.`;
      ctx.log('warn', error);
      return { text, finishReason: 'error', error, timings: timings() };
    } finally {
      clearInterval(poll);
      opened?.close();
    }
  }

  return {
    family: 'remote',
    modelName: model,
    device: 'remote',
    generate,
    dispose: async () => {},
  };
}
