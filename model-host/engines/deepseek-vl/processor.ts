/**
 * DeepSeek-VL's input pipeline, read from the processor files a checkpoint carries: the chat template
 * renders the conversation (one `<image_placeholder>` per image), each placeholder is expanded to
 * `num_image_tokens` image tokens, the checkpoint's tokenizer turns that into ids (adding BOS as the
 * real tokenizer does), and the image processor config drives the pixels of each view.
 *
 * It reads both layouts hub checkpoints come in:
 * - transformers 4.x: `preprocessor_config.json` (image processor), `processor_config.json`
 *   (`num_image_tokens`), `chat_template.json`;
 * - transformers 5.x: `processor_config.json` with the image processor nested under
 *   `image_processor`, and `chat_template.jinja`;
 * plus `tokenizer.json` / `tokenizer_config.json`. A folder with no template gets the template of
 * transformers' conversion scripts, and one with no image processor config the values those scripts
 * write; both are said in the log. The same code serves converted model folders (the converter copies
 * these files) and `model-host inputs --processor DIR`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LogLevel } from '../../protocol';
import type { LoadedImage } from '../../images/load-image';
import { rgbDroppingAlpha } from '../../images/rgb-pixels';
import type { RgbImage } from '../../images/resize-like-pillow';
import type { ChatPrompt } from '../engine';
import { type ChatTemplate, readChatTemplate, templateMessages } from '../chat-template';
import { transformersModule } from '../transformers-js';
import { CONVERSION_SCRIPT_CHAT_TEMPLATE, DEFAULT_IMAGE_TOKEN } from './default-chat-template';
import { type DeepseekVlImageProcessorConfig, type DeepseekVlPixels, defaultImageProcessorConfig, preprocessRgbForDeepseekVl } from './image-processor';

type Log = (level: LogLevel, message: string) => void;
type Json = Record<string, unknown>;

/** What the processor files of a folder say, with where each part came from. */
export interface DeepseekVlProcessorFiles {
  imageProcessor: DeepseekVlImageProcessorConfig;
  imageProcessorSource: string;
  numImageTokens: number;
  chatTemplate: ChatTemplate;
  imageToken: string;
}

/** Everything the model needs for one prompt, before any ONNX session runs. */
export interface DeepseekVlInputs {
  /** The chat template's output, one `<image_placeholder>` per image (not yet expanded). */
  prompt: string;
  inputIds: number[];
  pixels?: DeepseekVlPixels;
}

interface Tokenizer {
  encode(text: string): number[];
  decode(ids: number[], options: { skip_special_tokens: boolean }): string;
  apply_chat_template(messages: unknown, options: Json): unknown;
  convert_tokens_to_ids(tokens: string[]): Array<number | undefined>;
  bos_token_id?: number | null;
}

function readJson(path: string): Json | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Json;
  } catch (err) {
    throw new Error(`${path} is not valid JSON (${(err as Error).message})`);
  }
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Image tokens per image when no processor file says: (image_size / patch_size)² of SigLIP, as transformers computes it. */
function numImageTokensFromModel(model: Json | undefined): number | undefined {
  if (typeof model?.num_image_tokens === 'number') return model.num_image_tokens;
  const vision = model?.vision_config as { image_size?: number; patch_size?: number } | undefined;
  if (vision?.image_size && vision.patch_size) return (vision.image_size / vision.patch_size) ** 2;
  return undefined;
}

export function readProcessorFiles(dir: string, log: Log): DeepseekVlProcessorFiles {
  const processor = readJson(join(dir, 'processor_config.json'));
  const legacy = readJson(join(dir, 'preprocessor_config.json'));
  const model = readJson(join(dir, 'config.json'));
  let imageProcessor: DeepseekVlImageProcessorConfig;
  let imageProcessorSource: string;
  if (isObject(processor?.image_processor)) {
    imageProcessor = processor.image_processor as DeepseekVlImageProcessorConfig;
    imageProcessorSource = 'processor_config.json (image_processor)';
  } else if (legacy) {
    imageProcessor = legacy as DeepseekVlImageProcessorConfig;
    imageProcessorSource = 'preprocessor_config.json';
  } else {
    const sourceType = (model?.visual_coder as Json | undefined)?.source_model_type ?? model?.model_type;
    imageProcessor = defaultImageProcessorConfig({ ...(model ?? {}), model_type: String(sourceType ?? 'deepseek_vl') });
    imageProcessorSource = "defaults of transformers' conversion scripts";
    log(
      'info',
      `${dir} has no image processor config (preprocessor_config.json or processor_config.json); using the values transformers' conversion scripts write`,
    );
  }
  const numImageTokens = (typeof processor?.num_image_tokens === 'number' ? processor.num_image_tokens : undefined) ?? numImageTokensFromModel(model) ?? 576;
  let chatTemplate = readChatTemplate(dir);
  if (!chatTemplate) {
    chatTemplate = { template: CONVERSION_SCRIPT_CHAT_TEMPLATE, source: "the template of transformers' conversion scripts" };
    log(
      'info',
      `${dir} has no chat template (chat_template.jinja, chat_template.json or tokenizer_config.json); using the one transformers' conversion scripts write into the hub checkpoints`,
    );
  }
  const tokenizerConfig = readJson(join(dir, 'tokenizer_config.json'));
  const imageToken = [processor?.image_token, tokenizerConfig?.image_token].find((t): t is string => typeof t === 'string') ?? DEFAULT_IMAGE_TOKEN;
  return { imageProcessor, imageProcessorSource, numImageTokens, chatTemplate, imageToken };
}

export class DeepseekVlProcessor {
  private constructor(
    readonly files: DeepseekVlProcessorFiles,
    private readonly tokenizer: Tokenizer,
    readonly imageTokenId: number,
  ) {}

  static async load(dir: string, log: Log): Promise<DeepseekVlProcessor> {
    const files = readProcessorFiles(dir, log);
    if (!existsSync(join(dir, 'tokenizer.json'))) throw new Error(`${dir} has no tokenizer.json; it is not a DeepSeek-VL processor folder`);
    const { AutoTokenizer } = await transformersModule();
    const tokenizer = (await AutoTokenizer.from_pretrained(dir, { local_files_only: true })) as unknown as Tokenizer;
    const [imageTokenId] = tokenizer.convert_tokens_to_ids([files.imageToken]);
    if (typeof imageTokenId !== 'number') throw new Error(`the tokenizer in ${dir} has no ${files.imageToken} token`);
    return new DeepseekVlProcessor(files, tokenizer, imageTokenId);
  }

  /** The chat template's output for a prompt, with one image placeholder when there is an image. */
  prompt(prompt: ChatPrompt, hasImage: boolean): string {
    const rendered = this.tokenizer.apply_chat_template(templateMessages(prompt, hasImage), {
      chat_template: this.files.chatTemplate.template,
      add_generation_prompt: true,
      tokenize: false,
    });
    if (typeof rendered !== 'string') throw new Error('the chat template did not render to text');
    return rendered;
  }

  /** Token ids of a rendered prompt: each placeholder expanded to `num_image_tokens` image tokens, BOS exactly once. */
  inputIds(renderedPrompt: string): number[] {
    const token = this.files.imageToken;
    const expanded = renderedPrompt.split(token).join(token.repeat(this.files.numImageTokens));
    const ids = this.tokenizer.encode(expanded);
    // DeepSeek-VL is trained with BOS first; its real tokenizer adds it, a bare tokenizer.json may not.
    const bos = this.tokenizer.bos_token_id;
    return typeof bos === 'number' && ids[0] !== bos ? [bos, ...ids] : ids;
  }

  pixels(rgb: RgbImage): DeepseekVlPixels {
    return preprocessRgbForDeepseekVl(rgb, this.files.imageProcessor);
  }

  /** Prompt, ids and pixels for one turn; the image's alpha is dropped as the references drop it. */
  async inputs(prompt: ChatPrompt, image: LoadedImage | undefined): Promise<DeepseekVlInputs> {
    const text = this.prompt(prompt, image !== undefined);
    const inputIds = this.inputIds(text);
    return { prompt: text, inputIds, ...(image ? { pixels: this.pixels(await rgbDroppingAlpha(image)) } : {}) };
  }

  decode(ids: number[]): string {
    return this.tokenizer.decode(ids, { skip_special_tokens: true });
  }
}
