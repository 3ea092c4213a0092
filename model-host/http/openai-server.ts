/**
 * The model host as an OpenAI-compatible server: `GET /v1/models` and `POST /v1/chat/completions`
 * (streamed as Server-Sent Events or answered as one JSON object, with `usage`), so any OpenAI
 * client, including our own remote engine, can use the local model. Errors use OpenAI's
 * `{error:{message,type,param,code}}` shape. A client that disconnects cancels its generation.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { LogLevel } from '../protocol';
import { HostErrorCodes, hostErrorOf } from '../protocol';
import type { GenerateOutput, LoadedImage } from '../engines/engine';
import { loadImage } from '../images/load-image';
import type { ChatBackend } from './chat-backend';
import { HttpError, parseChatRequest, type ParsedChatRequest } from './chat-request-parse';
import { checkJsonBody, checkPromptLength, checkRequestOrigin, RequestQueue, type GuardOptions } from './request-guards';

export interface OpenAiServerOptions {
  backend: ChatBackend;
  /** When set, every request needs `Authorization: Bearer <apiKey>` (and other host names are served). */
  apiKey?: string;
  /** The address the server binds, for the Host check (default 127.0.0.1). */
  boundHost?: string;
  /** Browser origins allowed to call (default none: a page's requests are refused). */
  allowedOrigins?: readonly string[];
  /** Most characters of prompt text a request may carry (checked before tokenising). */
  maxPromptChars?: number;
  /** Most requests waiting or running at once; more get 429 with Retry-After. */
  maxQueue?: number;
  log(level: LogLevel, message: string): void;
  /** Largest request body accepted (images arrive inline). */
  maxBodyBytes?: number;
  /** SSE comment sent while a streamed request waits in the queue, so clients' idle timeouts hold. */
  keepAliveMs?: number;
}

const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;
/** About four times the local models' 4096-token context: anything longer cannot fit anyway. */
export const DEFAULT_MAX_PROMPT_CHARS = 65_536;
export const DEFAULT_MAX_QUEUE = 8;
const CREATED = Math.floor(Date.now() / 1000);

function sendError(res: http.ServerResponse, err: HttpError): void {
  if (res.headersSent) return;
  const type = err.status === 401 ? 'authentication_error' : err.status >= 500 ? 'server_error' : 'invalid_request_error';
  const body = JSON.stringify({ error: { message: err.message, type, param: err.param ?? null, code: err.code ?? null } });
  res.writeHead(err.status, { 'content-type': 'application/json', ...err.headers }).end(body);
}

/** The one way a failure becomes an HTTP answer: HostError codes (from the worker or the image loader) to statuses. */
function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  const host = hostErrorOf(err);
  const message = host?.message ?? (err instanceof Error ? err.message : String(err));
  switch (host?.code) {
    case HostErrorCodes.BadImage:
      return new HttpError(400, message, 'messages', 'invalid_image');
    case HostErrorCodes.InvalidParams:
      return new HttpError(400, message, host.data?.field, host.data?.kind === 'context_length_exceeded' ? 'context_length_exceeded' : 'invalid_request');
    case HostErrorCodes.NoModel:
    case HostErrorCodes.BadModel:
      return new HttpError(503, message, undefined, 'model_not_loaded');
    default:
      return new HttpError(500, message);
  }
}

function authorized(req: http.IncomingMessage, apiKey: string | undefined): boolean {
  if (!apiKey) return true;
  const header = req.headers.authorization ?? '';
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(apiKey);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The JSON body, at most `maxBytes`. Past the cap the request is answered 413 at once, but the rest of
 * the body is still read and dropped (up to four times the cap), so the client can finish sending and
 * read the answer instead of seeing its connection reset.
 */
function readJson(req: http.IncomingMessage, maxBytes: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let parts: Buffer[] = [];
    let size = 0;
    req.on('data', (part: Buffer) => {
      size += part.length;
      if (size > 4 * maxBytes) return void req.destroy();
      if (size <= maxBytes) return void parts.push(part);
      if (parts.length || size - part.length <= maxBytes) {
        parts = [];
        reject(new HttpError(413, `the request body is over ${Math.round(maxBytes / 1048576)} MB; send a smaller image`));
      }
    });
    req.on('error', reject);
    req.on('end', () => {
      if (size > maxBytes) return;
      try {
        resolve(JSON.parse(Buffer.concat(parts).toString('utf8')));
      } catch {
        reject(new HttpError(400, 'the request body is not valid JSON'));
      }
    });
  });
}

function usageOf(output: GenerateOutput, deltas: number) {
  const completion = output.tokens?.length ?? deltas;
  // The engines do not report the prompt's length; 0 says "not counted" rather than a guess.
  return { prompt_tokens: 0, completion_tokens: completion, total_tokens: completion };
}

export function createOpenAiServer(options: OpenAiServerOptions): http.Server {
  const { backend, log } = options;
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxPromptChars = options.maxPromptChars ?? DEFAULT_MAX_PROMPT_CHARS;
  const queue = new RequestQueue(options.maxQueue ?? DEFAULT_MAX_QUEUE);
  const guards: GuardOptions = {
    boundHost: options.boundHost ?? '127.0.0.1',
    // Asked per request, when the server below is listening.
    port: () => (server.address() as AddressInfo | null)?.port ?? 0,
    apiKey: options.apiKey,
    allowedOrigins: options.allowedOrigins ?? [],
  };
  // input_modalities (as OpenRouter lists them) lets clients such as Choose Remote Model see that it reads images.
  const modelObject = { id: backend.modelId, object: 'model', created: CREATED, owned_by: 'visual-coder', input_modalities: ['text', 'image'] };

  async function chatCompletions(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    checkJsonBody(req);
    const leave = queue.enter();
    res.on('close', leave);
    const parsed = parseChatRequest(await readJson(req, maxBody));
    checkPromptLength((parsed.prompt.system ?? '').length + parsed.prompt.user.length, maxPromptChars);
    if (parsed.model !== undefined && parsed.model !== backend.modelId) {
      throw new HttpError(
        404,
        `The model "${parsed.model}" does not exist on this server; it serves "${backend.modelId}" (see GET /v1/models).`,
        'model',
        'model_not_found',
      );
    }
    // Decoding and checking the image here answers a bad image with a 400 before any queueing.
    let image: LoadedImage | undefined;
    if (parsed.imageBase64 !== undefined) image = await loadImage({ base64: parsed.imageBase64 });

    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) {
        log('info', 'HTTP client disconnected; cancelling its generation');
        abort.abort();
      }
    });
    const id = `chatcmpl-${randomUUID()}`;
    if (parsed.stream) await streamed(res, parsed, image, id, abort.signal);
    else await whole(res, parsed, image, id, abort.signal);
  }

  async function streamed(res: http.ServerResponse, parsed: ParsedChatRequest, image: LoadedImage | undefined, id: string, signal: AbortSignal) {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
    // Each delta is a small write: without this, Nagle's algorithm holds them back for the client's delayed ACK.
    res.socket?.setNoDelay(true);
    res.flushHeaders();
    const send = (data: unknown) => !res.destroyed && res.write(`data: ${JSON.stringify(data)}\n\n`);
    const chunk = (delta: object, finish: string | null) => ({
      id,
      object: 'chat.completion.chunk',
      created: Math.floor(Date.now() / 1000),
      model: backend.modelId,
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
    const keepAlive = setInterval(() => !res.destroyed && res.write(': keep-alive\n\n'), options.keepAliveMs ?? 10_000);
    send(chunk({ role: 'assistant', content: '' }, null));
    let deltas = 0;
    try {
      const output = await backend.generate(
        { ...parsed, image },
        (text) => {
          deltas++;
          send(chunk({ content: text }, null));
        },
        signal,
      );
      if (output.finishReason === 'cancelled') return;
      if (output.finishReason === 'error') {
        send({ error: { message: output.error ?? 'generation stopped early', type: 'server_error', param: null, code: null } });
      } else {
        send(chunk({}, output.finishReason));
        if (parsed.includeUsage) {
          send({
            id,
            object: 'chat.completion.chunk',
            created: Math.floor(Date.now() / 1000),
            model: backend.modelId,
            choices: [],
            usage: usageOf(output, deltas),
          });
        }
      }
      if (!res.destroyed) res.write('data: [DONE]\n\n');
    } catch (err) {
      if (signal.aborted) return;
      const e = toHttpError(err);
      log('warn', `chat completion failed: ${e.message}`);
      // The status line is gone: report in the stream, and end without [DONE] so clients see it failed.
      send({ error: { message: e.message, type: 'server_error', param: e.param ?? null, code: e.code ?? null } });
    } finally {
      clearInterval(keepAlive);
      res.end();
    }
  }

  async function whole(res: http.ServerResponse, parsed: ParsedChatRequest, image: LoadedImage | undefined, id: string, signal: AbortSignal) {
    let deltas = 0;
    const output = await backend.generate({ ...parsed, image }, () => deltas++, signal);
    if (signal.aborted || output.finishReason === 'cancelled') return;
    if (output.finishReason === 'error') throw new HttpError(500, output.error ?? 'generation stopped early');
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: backend.modelId,
        choices: [{ index: 0, message: { role: 'assistant', content: output.text }, finish_reason: output.finishReason }],
        usage: usageOf(output, deltas),
      }),
    );
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = `${req.method} ${url.pathname.replace(/\/+$/, '')}`;
    const handle = async () => {
      checkRequestOrigin(req, guards);
      if (!authorized(req, options.apiKey)) {
        throw new HttpError(
          401,
          'Missing or wrong API key: send "Authorization: Bearer <key>" with the key given to model-host serve --api-key.',
          undefined,
          'invalid_api_key',
        );
      }
      if (route === 'GET /v1/models') {
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [modelObject] }));
      }
      if (route === `GET /v1/models/${backend.modelId}`) {
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(modelObject));
      }
      if (route === 'POST /v1/chat/completions') return chatCompletions(req, res);
      throw new HttpError(
        404,
        `${req.method} ${url.pathname} is not served here; this server offers GET /v1/models and POST /v1/chat/completions.`,
        undefined,
        'not_found',
      );
    };
    handle().catch((err: unknown) => {
      const e = toHttpError(err);
      if (e.status >= 500) log('error', `${route}: ${e.message}`);
      else if (e.status === 403 || e.status === 415) log('warn', `${route} refused: ${e.message}`);
      sendError(res, e);
    });
  });
  // A client that never finishes its request must not hold a queue place for long.
  server.requestTimeout = 120_000;
  return server;
}
