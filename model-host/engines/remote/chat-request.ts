/**
 * The chat-completions request body the remote engine sends, in the OpenAI wire shape every
 * compatible server (vLLM, Ollama, LM Studio, llama.cpp) accepts: one user turn whose content parts
 * are the image first, then the text, as the local engines order them.
 */
import type { GenerateInput } from '../engine';

export type ContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string | ContentPart[];
}

export interface ChatCompletionsRequest {
  model: string;
  messages: ChatMessage[];
  stream: boolean;
  max_tokens?: number;
  temperature: number;
  top_p?: number;
  stop?: string[];
}

/** Builds the body; `imageUrl` is the (possibly downscaled) image as a data URL. */
export function buildChatRequest(model: string, input: GenerateInput, imageUrl: string | undefined): ChatCompletionsRequest {
  const messages: ChatMessage[] = [];
  if (input.prompt.system) messages.push({ role: 'system', content: input.prompt.system });
  const parts: ContentPart[] = [];
  if (imageUrl) parts.push({ type: 'image_url', image_url: { url: imageUrl } });
  parts.push({ type: 'text', text: input.prompt.user });
  messages.push({ role: 'user', content: parts });
  const g = input.generation;
  const body: ChatCompletionsRequest = {
    model,
    messages,
    stream: true,
    // Our protocol's "absent" means greedy, the OpenAI default is 1: always say which.
    temperature: g.temperature ?? 0,
  };
  if (g.maxNewTokens !== undefined) body.max_tokens = g.maxNewTokens;
  if (g.topP !== undefined) body.top_p = g.topP;
  if (g.stop && g.stop.length > 0) body.stop = g.stop;
  return body;
}
