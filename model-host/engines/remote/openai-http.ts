/**
 * HTTP exchanges with an OpenAI-compatible server over Node's built-in fetch: the chat-completions
 * POST (with bounded retries on 429, a timeout until the response starts and an idle timeout while
 * it streams) and `GET /models`. Cancellation is an AbortSignal that ends the request on the wire,
 * so the server stops generating too.
 */
import { RemoteError, endpointHost, httpFailureToError, networkFailureToError, serverMessage } from './remote-errors';

export interface RemoteHttpOptions {
  endpoint: string;
  apiKey?: string;
  /** Until the response headers arrive (covers connecting and the server's queue). */
  connectTimeoutMs?: number;
  /** Longest silence while the body streams (keep-alive comments count as traffic). */
  idleTimeoutMs?: number;
  /** How many times a 429 is retried before giving up. */
  maxRetries?: number;
  /** A Retry-After longer than this is not waited for. */
  maxRetryWaitMs?: number;
  signal?: AbortSignal;
  /** Told about each retry, for the log. */
  onRetry?(attempt: number, waitMs: number): void;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 60_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 120_000;
export const DEFAULT_MAX_RETRIES = 3;
export const DEFAULT_MAX_RETRY_WAIT_MS = 30_000;

/** `{endpoint}/{path}` with exactly one slash between them. */
export function endpointUrl(endpoint: string, path: string): string {
  let parsed: URL;
  try {
    parsed = new URL(endpoint);
  } catch {
    throw new RemoteError(`"${endpoint}" is not a URL: set visualCoder.remote.endpoint to e.g. http://127.0.0.1:8000/v1.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new RemoteError(`"${endpoint}" is not an http(s) URL: set visualCoder.remote.endpoint to e.g. http://127.0.0.1:8000/v1.`);
  }
  return `${endpoint.replace(/\/+$/, '')}/${path}`;
}

function headers(apiKey: string | undefined, accept: string, withBody: boolean): Record<string, string> {
  const h: Record<string, string> = { accept };
  if (withBody) h['content-type'] = 'application/json';
  if (apiKey) h.authorization = `Bearer ${apiKey}`;
  return h;
}

/** Milliseconds a `Retry-After` header asks for (delta-seconds or an HTTP date), if it parses. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A request in flight whose body can be read with an idle timeout. */
export interface OpenResponse {
  response: Response;
  /** Reads the next body chunk; throws RemoteError when the server stays silent too long. */
  read(): Promise<Uint8Array | undefined>;
  /** Ends the request (e.g. on cancel); harmless after the body is done. */
  close(): void;
}

class TimeoutReason extends Error {}

/** One fetch with its own abort controller, linked to the caller's signal and to both timeouts. */
async function open(url: string, init: RequestInit, options: RemoteHttpOptions): Promise<OpenResponse> {
  const controller = new AbortController();
  const outer = options.signal;
  const forward = () => controller.abort(outer?.reason);
  if (outer?.aborted) forward();
  outer?.addEventListener('abort', forward, { once: true });
  const host = endpointHost(options.endpoint);
  const connectMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  let timer = setTimeout(() => controller.abort(new TimeoutReason(`no response from ${host} within ${connectMs / 1000} s`)), connectMs);
  const cleanup = () => {
    clearTimeout(timer);
    outer?.removeEventListener('abort', forward);
  };
  const failure = (err: unknown): Error => {
    const reason = controller.signal.reason;
    if (controller.signal.aborted && reason instanceof TimeoutReason) {
      return new RemoteError(`The server at ${host} timed out: ${reason.message}. Check that it is running and not overloaded.`);
    }
    if (controller.signal.aborted) return reason instanceof Error ? reason : new Error('aborted');
    return err instanceof RemoteError ? err : networkFailureToError(err, options.endpoint);
  };

  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: controller.signal });
  } catch (err) {
    cleanup();
    throw failure(err);
  }
  clearTimeout(timer);
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return {
    response,
    async read() {
      reader ??= response.body?.getReader();
      if (!reader) return undefined;
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(new TimeoutReason(`nothing received for ${idleMs / 1000} s while streaming`)), idleMs);
      try {
        const { done, value } = await reader.read();
        if (done) cleanup();
        return done ? undefined : value;
      } catch (err) {
        cleanup();
        throw failure(err);
      } finally {
        clearTimeout(timer);
      }
    },
    close() {
      cleanup();
      controller.abort(new Error('closed'));
    },
  };
}

/** The whole body as text, read under the idle timeout (a server may hang after the headers). */
export async function readAll(open: OpenResponse): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (let bytes = await open.read(); bytes; bytes = await open.read()) text += decoder.decode(bytes, { stream: true });
    return text + decoder.decode();
  } finally {
    open.close();
  }
}

/** An error response's body, or '' when even that fails: the status alone still says enough. */
async function bodyText(open: OpenResponse): Promise<string> {
  return readAll(open).catch(() => '');
}

/**
 * POSTs a chat-completions request and returns the open response once it is a 2xx. A 429 is retried
 * up to `maxRetries` times after the server's Retry-After (or 1 s, 2 s, 4 s…); other statuses become
 * a RemoteError with the server's explanation; a 404 for a model lists the server's models.
 */
export async function postChatCompletions(
  body: unknown,
  options: RemoteHttpOptions,
  context: { model?: string; maxImageSide?: number },
): Promise<OpenResponse> {
  const url = endpointUrl(options.endpoint, 'chat/completions');
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  const maxWait = options.maxRetryWaitMs ?? DEFAULT_MAX_RETRY_WAIT_MS;
  const payload = JSON.stringify(body);
  for (let attempt = 0; ; attempt++) {
    const opened = await open(url, { method: 'POST', headers: headers(options.apiKey, 'text/event-stream, application/json', true), body: payload }, options);
    const { response } = opened;
    if (response.ok) return opened;
    const text = await bodyText(opened);
    if (response.status === 429 && attempt < maxRetries) {
      const wait = parseRetryAfter(response.headers.get('retry-after')) ?? 1000 * 2 ** attempt;
      if (wait <= maxWait) {
        options.onRetry?.(attempt + 1, wait);
        await sleep(wait, options.signal);
        continue;
      }
    }
    const failure = { status: response.status, statusText: response.statusText, body: text, endpoint: options.endpoint, ...context };
    if (response.status === 429 && attempt > 0) {
      throw new RemoteError(
        `The server at ${endpointHost(options.endpoint)} is still rate limiting (429) after ${attempt} ${attempt === 1 ? 'retry' : 'retries'}${
          serverMessage(text) ? `: ${serverMessage(text)}` : ''
        }. Wait a little and run the command again.`,
        429,
      );
    }
    if (response.status === 404 && context.model) {
      const availableModels = await listModels({ ...options, maxRetries: 0 }).catch(() => undefined);
      throw httpFailureToError({ ...failure, availableModels });
    }
    throw httpFailureToError(failure);
  }
}

/** `GET {endpoint}/models`: the ids the server serves, sorted. */
export async function listModels(options: RemoteHttpOptions): Promise<string[]> {
  const url = endpointUrl(options.endpoint, 'models');
  const opened = await open(url, { method: 'GET', headers: headers(options.apiKey, 'application/json', false) }, options);
  const text = await bodyText(opened);
  if (!opened.response.ok) {
    throw httpFailureToError({ status: opened.response.status, statusText: opened.response.statusText, body: text, endpoint: options.endpoint });
  }
  let parsed: { data?: { id?: unknown }[] };
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new RemoteError(
      `The server at ${endpointHost(options.endpoint)} answered GET /models with something that is not JSON: is visualCoder.remote.endpoint an OpenAI-compatible base URL (ending in /v1)?`,
    );
  }
  const ids = (parsed.data ?? []).map((m) => m.id).filter((id): id is string => typeof id === 'string');
  return [...new Set(ids)].sort();
}

/** The status and parsed JSON body (undefined when it is not JSON) of one request, for capability questions. */
export interface JsonAnswer {
  status: number;
  body: unknown;
  text: string;
}

/**
 * One GET or POST of JSON to `url` (any path of the server, e.g. Ollama's `/api/show`), with the same
 * timeouts, cancellation and network errors as the chat requests; any status is an answer, not an error.
 */
export async function requestJson(url: string, options: RemoteHttpOptions, body?: unknown): Promise<JsonAnswer> {
  const init = body === undefined ? { method: 'GET' } : { method: 'POST', body: JSON.stringify(body) };
  const opened = await open(url, { ...init, headers: headers(options.apiKey, 'application/json', body !== undefined) }, options);
  const text = await bodyText(opened);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: opened.response.status, body: parsed, text };
}
