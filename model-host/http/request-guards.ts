/**
 * What the OpenAI-compatible server checks before it reads a request, so a web page the user visits
 * cannot drive it and a client cannot make it do unbounded work:
 * - the `Host` header must name this server (the bound address, `localhost`, `127.0.0.1` or `[::1]`,
 *   with its port) unless an API key guards it: a DNS-rebinding page sends its own host name;
 * - a browser's `Origin` header must be one the user allowed (`--allow-origin`): any page can send a
 *   request, only an allowed one gets an answer;
 * - a POST must be `application/json`: a cross-origin "simple" request (text/plain, form data) needs no
 *   preflight, a JSON one does;
 * - the prompt text is capped before anything is tokenised, and so is the number of requests waiting.
 */
import type * as http from 'node:http';
import { HttpError } from './chat-request-parse';

export interface GuardOptions {
  /** The address the server was asked to bind (`127.0.0.1`, `::1`, `localhost`, `0.0.0.0`…). */
  boundHost: string;
  /** The port it listens on (known once listening). */
  port(): number;
  apiKey?: string;
  /** Origins a browser page may call from, exactly as the browser sends them (`http://localhost:5173`). */
  allowedOrigins: readonly string[];
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** The `host:port` values that name this server. */
function ownHosts(options: GuardOptions): Set<string> {
  const port = options.port();
  const bound = options.boundHost.includes(':') ? `[${options.boundHost}]` : options.boundHost;
  const names = new Set([bound, ...LOOPBACK_NAMES]);
  return new Set([...names].flatMap((n) => (port === 80 ? [n, `${n}:80`] : [`${n}:${port}`])));
}

export function checkRequestOrigin(req: http.IncomingMessage, options: GuardOptions): void {
  const host = (req.headers.host ?? '').toLowerCase();
  if (!options.apiKey && !ownHosts(options).has(host)) {
    throw new HttpError(
      403,
      `The Host header "${req.headers.host ?? ''}" does not name this server; without an API key only loopback names are served (a page on another site cannot reach it). Start the server with --api-key to serve other names.`,
      undefined,
      'forbidden_host',
    );
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !options.allowedOrigins.includes(origin)) {
    throw new HttpError(
      403,
      `Requests from the web page at ${origin} are not allowed; start the server with --allow-origin ${origin} to allow them.`,
      undefined,
      'forbidden_origin',
    );
  }
}

/** A POST body must be JSON (the media type, whatever its parameters). */
export function checkJsonBody(req: http.IncomingMessage): void {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') {
    throw new HttpError(
      415,
      `The request body must be JSON with "Content-Type: application/json" (got ${JSON.stringify(req.headers['content-type'] ?? 'none')}).`,
      undefined,
      'unsupported_media_type',
    );
  }
}

/** Refuses a prompt whose text is longer than `limit` characters, before any tokenising. */
export function checkPromptLength(chars: number, limit: number): void {
  if (chars > limit) {
    throw new HttpError(
      400,
      `The prompt has ${chars} characters; this server takes at most ${limit}. Shorten the messages.`,
      'messages',
      'context_length_exceeded',
    );
  }
}

/** Counts requests waiting or running and refuses one more than `limit` with 429 and `Retry-After`. */
export class RequestQueue {
  private count = 0;

  constructor(
    private readonly limit: number,
    private readonly retryAfterSeconds = 5,
  ) {}

  /** Takes a place, or throws 429; the returned function gives it back. */
  enter(): () => void {
    if (this.count >= this.limit) {
      throw new HttpError(429, `${this.count} requests are already waiting for the model; try again shortly.`, undefined, 'rate_limit_exceeded', {
        'retry-after': String(this.retryAfterSeconds),
      });
    }
    this.count++;
    let left = false;
    return () => {
      if (!left) this.count--;
      left = true;
    };
  }
}
