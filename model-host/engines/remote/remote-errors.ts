/**
 * What an OpenAI-compatible server's refusals mean for the user, and what to do about each. Every
 * message names the server and the setting or command that fixes it, because the user sees it in a
 * notification far from the HTTP exchange.
 */
import { HostErrorCodes } from '../../protocol';
import { HostError } from '../../protocol/errors';

/** A remote server refused or failed; carries `HostErrorCodes.Remote` across the worker boundary. */
export class RemoteError extends HostError {
  constructor(
    message: string,
    /** HTTP status when there was a response. */
    readonly status?: number,
  ) {
    super(HostErrorCodes.Remote, message);
  }
}

export const SET_API_KEY_HINT = 'run "Visual Coder: Set API Key" (for the CLI: set OPENAI_API_KEY)';

export { endpointHost } from '../../protocol/format';
import { endpointHost } from '../../protocol/format';

/** The server's own explanation from an OpenAI-style `{error:{message}}` body, or its text, shortened. */
export function serverMessage(body: string): string {
  let text = body.trim();
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown; detail?: unknown };
    const candidate = typeof parsed.error === 'string' ? parsed.error : (parsed.error?.message ?? parsed.message ?? parsed.detail);
    if (typeof candidate === 'string') text = candidate;
  } catch {
    // Not JSON: keep the text as it is.
  }
  text = text.replace(/\s+/g, ' ');
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

export interface HttpFailure {
  status: number;
  statusText: string;
  body: string;
  endpoint: string;
  model?: string;
  maxImageSide?: number;
  /** Models the server lists, when it was cheap to ask (for a 404). */
  availableModels?: string[];
}

/** Turns a non-2xx response into a message that says what to do. */
export function httpFailureToError(f: HttpFailure): RemoteError {
  const host = endpointHost(f.endpoint);
  const said = serverMessage(f.body);
  const detail = said ? `: ${said}` : '';
  switch (true) {
    case f.status === 401 || f.status === 403:
      return new RemoteError(
        `The server at ${host} refused the API key (${f.status} ${f.statusText})${detail}. To set the key, ${SET_API_KEY_HINT}.`,
        f.status,
      );
    case f.status === 404: {
      const models = f.availableModels;
      if (models && f.model && !models.includes(f.model)) {
        const list = models.length > 0 ? `It serves: ${models.join(', ')}.` : 'It lists no models.';
        return new RemoteError(
          `The server at ${host} has no model "${f.model}" (404). ${list} Choose one with "Visual Coder: Choose Remote Model" or set visualCoder.remote.model.`,
          f.status,
        );
      }
      return new RemoteError(
        `The server at ${host} answered 404 Not Found${detail}. Check visualCoder.remote.endpoint (OpenAI-compatible servers usually end in /v1, e.g. http://127.0.0.1:8000/v1) and visualCoder.remote.model ("${f.model ?? ''}").`,
        f.status,
      );
    }
    case f.status === 413:
      return new RemoteError(
        `The image is too large for the server at ${host} (413 Payload Too Large). Lower visualCoder.remote.maxImageSide${f.maxImageSide ? ` (now ${f.maxImageSide})` : ''} or raise the server's request size limit.`,
        f.status,
      );
    case f.status === 429:
      return new RemoteError(
        `The server at ${host} is rate limiting requests (429 Too Many Requests)${detail}. Wait a little and run the command again.`,
        f.status,
      );
    case f.status >= 500:
      return new RemoteError(
        `The server at ${host} failed (${f.status} ${f.statusText})${detail}. Check the server's log; the request may work again once it recovers.`,
        f.status,
      );
    default:
      return new RemoteError(`The server at ${host} refused the request (${f.status} ${f.statusText})${detail}.`, f.status);
  }
}

/** Turns a failure before any response (refused connection, DNS, TLS) into a message. */
export function networkFailureToError(err: unknown, endpoint: string): RemoteError {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? (err as { code?: string }).code;
  const host = endpointHost(endpoint);
  if (code === 'ECONNREFUSED') {
    return new RemoteError(
      `Cannot connect to ${host} (connection refused): is the server running? Check visualCoder.remote.endpoint or run "Visual Coder: Choose Remote Server" for how to start one.`,
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new RemoteError(`Cannot resolve the host name of ${host}: check visualCoder.remote.endpoint.`);
  }
  const what = cause?.message ?? (err as Error).message ?? String(err);
  return new RemoteError(`Cannot reach the server at ${host}: ${what}${code ? ` (${code})` : ''}. Check visualCoder.remote.endpoint and the network.`);
}
