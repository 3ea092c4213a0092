/**
 * The chat template transformers' DeepSeek-VL conversion scripts write into the hub checkpoints
 * (`convert_deepseek_vl_weights_to_hf.py`, `convert_deepseek_vl_hybrid_weights_to_hf.py`), used for a
 * checkpoint that carries no template of its own. It starts with DeepSeek-VL's default system prompt,
 * as the original `VLChatProcessor` does, then "User: <image_placeholder>TEXT\n\nAssistant:" with no
 * newline between the image and the text. A message with the role `system` comes after that default
 * prompt as "System: TEXT"; the template offers no way to replace the default prompt itself.
 */
export const CONVERSION_SCRIPT_CHAT_TEMPLATE =
  "{% set seps = ['\n\n', '<｜end▁of▁sentence｜>'] %}" +
  '{% set i = 0 %}You are a helpful language and vision assistant. You are able to understand the visual content that the user provides, and assist the user with a variety of tasks using natural language.\n\n' +
  "{% for message in messages %}{% if message['role']|lower == 'user' %}User: " +
  "{% elif message['role']|lower == 'assistant' %}Assistant:" +
  "{% if not (loop.last and not add_generation_prompt and message['content'][0]['type']=='text' and message['content'][0]['text']=='') %} " +
  "{% endif %}{% else %}{{ message['role'].capitalize() }}: {% endif %}" +
  "{% for content in message['content'] %}{% if content['type'] == 'image' %}<image_placeholder>" +
  "{% elif content['type'] == 'text' %}{% set text = content['text'] %}{% if loop.first %}" +
  '{% set text = text.lstrip() %}{% endif %}{% if loop.last %}{% set text = text.rstrip() %}{% endif %}' +
  "{% if not loop.first and message['content'][loop.index0-1]['type'] == 'text' %}{{ ' ' + text }}" +
  '{% else %}{{ text }}{% endif %}{% endif %}{% endfor %}' +
  "{% if not loop.last or add_generation_prompt %}{% if message['role']|lower == 'user' %}{{ seps[0] }}" +
  '{% else %}{{ seps[1] }}{% endif %}{% endif %}{% endfor %}{% if add_generation_prompt %}Assistant:' +
  '{% endif %}';

/** The image token of every DeepSeek-VL tokenizer. */
export const DEFAULT_IMAGE_TOKEN = '<image_placeholder>';
