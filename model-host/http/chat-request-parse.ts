/**
 * Reads an OpenAI chat-completions request body into what the local engines take: one system text,
 * one user turn, at most one image (as base64 from a data URL), generation options. Anything the
 * local model host cannot honour is refused with a 400 that says what to send instead, rather than
 * silently ignored.
 */
import type { GenerationOptions } from '../protocol';
import type { ChatPrompt } from '../engines/engine';

/** An error answered as an OpenAI-style `{error:{message,type,param,code}}` with this status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param?: string,
    readonly code?: string,
    /** Extra response headers (e.g. `Retry-After` on a 429). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface ParsedChatRequest {
  model?: string;
  prompt: ChatPrompt;
  /** Base64 of the one image, from a `data:` URL. */
  imageBase64?: string;
  generation: GenerationOptions;
  stream: boolean;
  /** `stream_options.include_usage`: send a final chunk with usage. */
  includeUsage: boolean;
}

const bad = (message: string, param?: string) => new HttpError(400, message, param, 'invalid_request_error');

function textOf(content: unknown, where: string, images: string[]): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw bad(`${where}.content must be a string or an array of content parts`, `${where}.content`);
  const texts: string[] = [];
  content.forEach((part: { type?: unknown; text?: unknown; image_url?: unknown }, i) => {
    const at = `${where}.content[${i}]`;
    if (part?.type === 'text') {
      if (typeof part.text !== 'string') throw bad(`${at}.text must be a string`, at);
      texts.push(part.text);
    } else if (part?.type === 'image_url') {
      const url = typeof part.image_url === 'string' ? part.image_url : (part.image_url as { url?: unknown } | undefined)?.url;
      if (typeof url !== 'string') throw bad(`${at}.image_url.url must be a string`, at);
      images.push(dataUrlBase64(url, at));
    } else {
      throw bad(`${at}: content part type ${JSON.stringify(part?.type)} is not supported; use "text" or "image_url"`, at);
    }
  });
  return texts.join('\n');
}

function dataUrlBase64(url: string, at: string): string {
  if (/^https?:/i.test(url)) {
    throw bad(`${at}: this model host works offline and does not download images; send the image inline as a data URL (data:image/png;base64,…)`, at);
  }
  const match = /^data:image\/[a-z0-9.+-]+;base64,/i.exec(url);
  if (!match) throw bad(`${at}: image_url.url must be a base64 data URL such as data:image/png;base64,…`, at);
  return url.slice(match[0].length);
}

function optionalNumber(body: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw bad(`${name} must be a number from ${min} to ${max}`, name);
  return v;
}

export function parseChatRequest(raw: unknown): ParsedChatRequest {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('the request body must be a JSON object');
  const body = raw as Record<string, unknown>;
  if (body.model !== undefined && typeof body.model !== 'string') throw bad('model must be a string', 'model');
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw bad('messages must be a non-empty array', 'messages');
  const n = body.n ?? 1;
  if (n !== 1) throw bad('n must be 1: the local model writes one answer per request', 'n');

  const system: string[] = [];
  const user: string[] = [];
  const images: string[] = [];
  body.messages.forEach((m: { role?: unknown; content?: unknown }, i) => {
    const where = `messages[${i}]`;
    if (m?.role === 'system' || m?.role === 'developer') system.push(textOf(m.content, where, images));
    else if (m?.role === 'user') user.push(textOf(m.content, where, images));
    else if (m?.role === 'assistant') {
      throw bad(`${where}: earlier assistant turns are not supported by the local model host; send the question as one user message`, where);
    } else throw bad(`${where}.role must be "system" or "user"`, where);
  });
  if (user.length === 0) throw bad('messages need a user message', 'messages');
  if (images.length > 1) throw bad(`the local models read one image per request; this request has ${images.length}`, 'messages');

  const maxTokens = optionalNumber(body, 'max_completion_tokens', 1, 1_000_000) ?? optionalNumber(body, 'max_tokens', 1, 1_000_000);
  const stopRaw = body.stop;
  let stop: string[] | undefined;
  if (typeof stopRaw === 'string') stop = [stopRaw];
  else if (Array.isArray(stopRaw) && stopRaw.every((s) => typeof s === 'string')) stop = stopRaw as string[];
  else if (stopRaw !== undefined && stopRaw !== null) throw bad('stop must be a string or an array of strings', 'stop');

  const generation: GenerationOptions = {};
  if (maxTokens !== undefined) generation.maxNewTokens = Math.floor(maxTokens);
  const temperature = optionalNumber(body, 'temperature', 0, 2);
  if (temperature !== undefined) generation.temperature = temperature;
  const topP = optionalNumber(body, 'top_p', 0, 1);
  if (topP !== undefined) generation.topP = topP;
  if (stop && stop.length > 0) generation.stop = stop;

  const streamOptions = body.stream_options as { include_usage?: unknown } | undefined;
  const prompt: ChatPrompt = { user: user.join('\n\n') };
  if (system.length > 0) prompt.system = system.join('\n\n');
  return {
    model: body.model as string | undefined,
    prompt,
    imageBase64: images[0],
    generation,
    stream: body.stream === true,
    includeUsage: streamOptions?.include_usage === true,
  };
}
