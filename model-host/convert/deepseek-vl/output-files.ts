/**
 * The non-graph files of a converted model folder: `config.json` (llava-style, so transformers.js
 * could drive it, plus our `visual_coder` block), `generation_config.json`, and the checkpoint's
 * tokenizer and processor files.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultImageProcessorConfig } from '../../engines/deepseek-vl/image-processor';
import type { DeepseekVlProcessorFiles } from '../../engines/deepseek-vl/processor';
import { CONVERSION_SCRIPT_CHAT_TEMPLATE } from '../../engines/deepseek-vl/default-chat-template';
import { readChatTemplate } from '../../engines/chat-template';
import { ConvertError, type DeepseekVlConfig } from './hf-config';

export interface VisualCoderBlock {
  format: number;
  family: 'deepseek-vl';
  source_model_type: string;
  source: string;
  dtype: string;
  /** Which decoder graph the folder holds (the runtime also tells them apart by their inputs). */
  decoder: 'kv-rows' | 'op-by-op';
  /** Element type of the KV cache the kv-rows decoder reads. */
  kv_dtype: 'fp16' | 'fp32';
  /** Whether the decoder returns the whole cache (`present.*`), which WebGPU keeps on the device. */
  present_outputs: boolean;
  hybrid: boolean;
  num_image_tokens: number;
  image_token: string;
  converted_by: string;
}

const writeJson = (path: string, value: unknown) => writeFileSync(path, JSON.stringify(value, null, 2) + '\n');

export function writeModelConfig(outDir: string, cfg: DeepseekVlConfig, block: VisualCoderBlock): void {
  const t = cfg.text;
  writeJson(join(outDir, 'config.json'), {
    architectures: ['LlavaForConditionalGeneration'],
    model_type: 'llava',
    image_token_index: cfg.imageTokenId,
    image_token_id: cfg.imageTokenId,
    num_image_tokens: cfg.numImageTokens,
    text_config: {
      model_type: 'llama',
      vocab_size: t.vocabSize,
      hidden_size: t.hiddenSize,
      intermediate_size: t.intermediateSize,
      num_hidden_layers: t.numLayers,
      num_attention_heads: t.numHeads,
      num_key_value_heads: t.numKvHeads,
      head_dim: t.headDim,
      rms_norm_eps: t.rmsNormEps,
      rope_theta: t.ropeTheta,
      max_position_embeddings: t.maxPositionEmbeddings,
      bos_token_id: t.bosTokenId,
      eos_token_id: t.eosTokenId,
      pad_token_id: t.padTokenId,
    },
    vision_config: cfg.raw.vision_config,
    ...(cfg.highResVision ? { high_res_vision_config: cfg.highResVision } : {}),
    visual_coder: block,
  });
}

export function writeGenerationConfig(srcDir: string, outDir: string, cfg: DeepseekVlConfig): void {
  const src = join(srcDir, 'generation_config.json');
  const base: Record<string, unknown> = existsSync(src) ? (JSON.parse(readFileSync(src, 'utf8')) as Record<string, unknown>) : {};
  writeJson(join(outDir, 'generation_config.json'), {
    bos_token_id: cfg.text.bosTokenId,
    eos_token_id: cfg.text.eosTokenId,
    pad_token_id: cfg.text.padTokenId,
    ...base,
  });
}

/** The processor files a checkpoint may carry (both transformers layouts), copied as they are. */
const PROCESSOR_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'added_tokens.json',
  'preprocessor_config.json',
  'processor_config.json',
  'chat_template.json',
  'chat_template.jinja',
];

/**
 * Copies the checkpoint's tokenizer and processor files into the converted folder unchanged, so the
 * runtime reads exactly what the checkpoint says (`engines/deepseek-vl/processor.ts`). What the
 * checkpoint lacks is written from the defaults of transformers' conversion scripts: the chat
 * template (`chat_template.jinja`) and the image processor config (`preprocessor_config.json`).
 */
export function writeProcessorFiles(
  srcDir: string,
  outDir: string,
  cfg: DeepseekVlConfig,
  found: DeepseekVlProcessorFiles,
  log: (message: string) => void,
): void {
  if (!existsSync(join(srcDir, 'tokenizer.json'))) throw new ConvertError(`tokenizer.json is missing from ${srcDir}; download it with the weights`);
  for (const file of PROCESSOR_FILES) {
    // readFileSync + writeFileSync, not copyFile: the copy gets our own file mode.
    if (existsSync(join(srcDir, file))) writeFileSync(join(outDir, file), readFileSync(join(srcDir, file)));
  }
  if (found.chatTemplate.template === CONVERSION_SCRIPT_CHAT_TEMPLATE && !readChatTemplate(srcDir)) {
    writeFileSync(join(outDir, 'chat_template.jinja'), CONVERSION_SCRIPT_CHAT_TEMPLATE);
    log("the checkpoint has no chat template: wrote the one transformers' conversion scripts use (chat_template.jinja)");
  }
  if (!existsSync(join(srcDir, 'preprocessor_config.json')) && !existsSync(join(srcDir, 'processor_config.json'))) {
    writeJson(join(outDir, 'preprocessor_config.json'), defaultImageProcessorConfig(cfg.raw as Parameters<typeof defaultImageProcessorConfig>[0]));
    log("the checkpoint has no image processor config: wrote the values transformers' conversion scripts use (preprocessor_config.json)");
  }
}
