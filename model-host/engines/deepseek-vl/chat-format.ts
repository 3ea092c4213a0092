/**
 * DeepSeek-VL's conversation format (the `deepseek` SFT template of the original repo, as used by
 * transformers' DeepseekVLProcessor): optional system text + "\n\n", then
 * "User: <image tokens>\n{text}\n\nAssistant:". The image placeholder is expanded to
 * `num_image_tokens` copies of the image token; BOS is prepended by the tokenizer call.
 */
import type { ChatPrompt } from '../engine';

export const IMAGE_PLACEHOLDER = '<image_placeholder>';

/** Jinja equivalent of `formatDeepseekVlPrompt`, written into tokenizer_config.json for other tools. */
export const DEEPSEEK_VL_CHAT_TEMPLATE =
  "{% for message in messages %}{% if message['role'] == 'system' %}{{ message['content'] }}\n\n" +
  "{% elif message['role'] == 'user' %}User: {{ message['content'] }}\n\n" +
  "{% elif message['role'] == 'assistant' %}Assistant: {{ message['content'] }}<｜end▁of▁sentence｜>" +
  "{% endif %}{% endfor %}{% if add_generation_prompt %}Assistant:{% endif %}";

/** The prompt text with one `<image_placeholder>` per image token when an image is given. */
export function formatDeepseekVlPrompt(prompt: ChatPrompt, numImageTokens: number | undefined): string {
  const system = prompt.system ? `${prompt.system}\n\n` : '';
  const image = numImageTokens ? IMAGE_PLACEHOLDER.repeat(numImageTokens) + '\n' : '';
  return `${system}User: ${image}${prompt.user}\n\nAssistant:`;
}
