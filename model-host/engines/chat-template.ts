/**
 * A checkpoint's own chat template, read where Hugging Face writes it, and the chat messages it is
 * rendered with. Rendering goes through transformers.js's `apply_chat_template` (its Jinja engine), so
 * the prompt is the one the checkpoint's authors wrote, not one re-typed in TypeScript.
 *
 * Where transformers puts the template (the first found wins, as in transformers 5.x):
 * `chat_template.jinja` (5.x), `chat_template.json` `{ "chat_template": … }` (4.x processors), then
 * `chat_template` inside `tokenizer_config.json` (older tokenizers). A template may be a list of
 * named templates; the one named `default` is used.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatPrompt } from './engine';

export interface ChatTemplate {
  template: string;
  /** The file it came from, for logs and `model-host inputs`. */
  source: string;
}

/** Content parts of one message, in the shape Hugging Face chat templates iterate over. */
export type TemplateContent = Array<{ type: 'image' } | { type: 'text'; text: string }>;
export interface TemplateMessage {
  role: 'system' | 'user' | 'assistant';
  content: TemplateContent;
}

function pick(value: unknown, file: string): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const named = value as Array<{ name?: unknown; template?: unknown }>;
    const found = named.find((t) => t.name === 'default') ?? named[0];
    if (typeof found?.template === 'string') return found.template;
  }
  if (value !== undefined) throw new Error(`${file}: chat_template must be a string or a list of {name, template}`);
  return undefined;
}

function readJson(path: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`${path} is not valid JSON (${(err as Error).message})`);
  }
}

export function readChatTemplate(dir: string): ChatTemplate | undefined {
  const jinja = join(dir, 'chat_template.jinja');
  if (existsSync(jinja)) return { template: readFileSync(jinja, 'utf8'), source: 'chat_template.jinja' };
  for (const file of ['chat_template.json', 'tokenizer_config.json']) {
    const path = join(dir, file);
    if (!existsSync(path)) continue;
    const template = pick(readJson(path).chat_template, path);
    if (template) return { template, source: file };
  }
  return undefined;
}

/**
 * A task's prompt as chat messages: the system text (when the task gives one) as the system turn,
 * earlier turns, then the user turn with the image first and the instruction after it, as the
 * DeepSeek-VL and Qwen2-VL processors expect.
 */
export function templateMessages(prompt: ChatPrompt, hasImage: boolean): TemplateMessage[] {
  const messages: TemplateMessage[] = [];
  if (prompt.system) messages.push({ role: 'system', content: [{ type: 'text', text: prompt.system }] });
  messages.push({ role: 'user', content: [...(hasImage ? [{ type: 'image' as const }] : []), { type: 'text', text: prompt.user }] });
  return messages;
}
