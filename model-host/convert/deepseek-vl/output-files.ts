/**
 * The non-graph files of a converted model folder: `config.json` (llava-style, so transformers.js
 * could drive it, plus our `visual_coder` block), `generation_config.json`, tokenizer files with a
 * DeepSeek-VL chat template, and `preprocessor_config.json`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultDeepseekVlProcessorConfig } from '../../engines/deepseek-vl/image-processor';
import { ConvertError, type DeepseekVlConfig } from './hf-config';
import { DEEPSEEK_VL_CHAT_TEMPLATE, IMAGE_PLACEHOLDER } from '../../engines/deepseek-vl/chat-format';

export const CONVERTED_FORMAT_VERSION = 1;

export interface VisualCoderBlock {
  format: number;
  family: 'deepseek-vl';
  source_model_type: string;
  source: string;
  dtype: string;
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

/** Copies `tokenizer.json` and writes `tokenizer_config.json` with our chat template added. */
export function writeTokenizerFiles(srcDir: string, outDir: string): void {
  const tok = join(srcDir, 'tokenizer.json');
  if (!existsSync(tok)) throw new ConvertError(`tokenizer.json is missing from ${srcDir}; download it with the weights`);
  writeFileSync(join(outDir, 'tokenizer.json'), readFileSync(tok)); // not copyFile: keep our own file mode
  const cfgPath = join(srcDir, 'tokenizer_config.json');
  const tokCfg: Record<string, unknown> = existsSync(cfgPath) ? (JSON.parse(readFileSync(cfgPath, 'utf8')) as Record<string, unknown>) : {};
  // transformers.js does not know transformers 5's `TokenizersBackend`; the fast tokenizer is equivalent.
  if (tokCfg.tokenizer_class === 'TokenizersBackend' || !tokCfg.tokenizer_class) tokCfg.tokenizer_class = 'LlamaTokenizerFast';
  tokCfg.chat_template = DEEPSEEK_VL_CHAT_TEMPLATE;
  tokCfg.image_token = IMAGE_PLACEHOLDER;
  writeJson(join(outDir, 'tokenizer_config.json'), tokCfg);
}

export function writePreprocessorConfig(srcDir: string, outDir: string, cfg: DeepseekVlConfig): void {
  const src = join(srcDir, 'preprocessor_config.json');
  const value = existsSync(src)
    ? (JSON.parse(readFileSync(src, 'utf8')) as Record<string, unknown>)
    : defaultDeepseekVlProcessorConfig(cfg.raw as Parameters<typeof defaultDeepseekVlProcessorConfig>[0]);
  writeJson(join(outDir, 'preprocessor_config.json'), value);
}
