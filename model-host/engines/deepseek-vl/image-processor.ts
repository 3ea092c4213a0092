/**
 * DeepSeek-VL image preprocessing: RGB pixels → `pixel_values` (SigLIP view) and, for the hybrid
 * model, `high_res_pixel_values` (SAM view), following Hugging Face's `DeepseekVLImageProcessor` and
 * `DeepseekVLHybridImageProcessor` (PIL backend) step for step, driven by the checkpoint's own config:
 *
 * 1. resize so the longer side is `size` with the view's Pillow filter (`resample` for the low-res
 *    view, `high_res_resample` for the high-res one: 2 = bilinear, 3 = bicubic, …) on 8-bit pixels;
 *    the shorter side is `max(int(side * size / longer), min_size)`. That is truncation, as in the
 *    original DeepSeek-VL training code and transformers 4.x; transformers 5.x rounds instead
 *    (`round()`), which differs by one pixel for some aspect ratios (docs/deepseek-vl.md);
 * 2. pad to a square, image centred (offset `(size - side) // 2`), with the view's background colour;
 * 3. rescale by `rescale_factor` and normalise `(x - mean) / std` in float32, channels first.
 *
 * The hybrid processor makes the high-res square first and resizes the low-res view from that 8-bit
 * square (not from the original), so both branches see the same padding geometry.
 */
import type { RgbImage } from '../../images/resize-like-pillow';
import { PIL_RESAMPLE, resizeLikePillow } from '../../images/resize-like-pillow';

/** CLIP's statistics, Hugging Face's default for both DeepSeek-VL processors (OPENAI_CLIP_MEAN/STD). */
export const CLIP_MEAN: readonly number[] = [0.48145466, 0.4578275, 0.40821073];
export const CLIP_STD: readonly number[] = [0.26862954, 0.26130258, 0.27577711];

type Size = { height: number; width: number } | number;

/** The fields of a DeepSeek-VL image processor config we use (Hugging Face names; all optional). */
export interface DeepseekVlImageProcessorConfig {
  size?: Size;
  high_res_size?: Size;
  min_size?: number;
  rescale_factor?: number;
  image_mean?: number[];
  image_std?: number[];
  high_res_image_mean?: number[];
  high_res_image_std?: number[];
  /** Pillow filter numbers of the low-res and high-res views. */
  resample?: number;
  high_res_resample?: number;
  background_color?: number[];
  high_res_background_color?: number[];
  do_resize?: boolean;
  do_pad?: boolean;
  do_rescale?: boolean;
  do_normalize?: boolean;
  /** `DeepseekVLHybridImageProcessor` for the 7B hybrid. */
  image_processor_type?: string;
}

/** A float32 NCHW tensor (batch 1). */
export interface PixelTensor {
  data: Float32Array;
  dims: [1, 3, number, number];
}

export interface DeepseekVlPixels {
  pixelValues: PixelTensor;
  /** Only for the hybrid (SigLIP + SAM) model. */
  highResPixelValues?: PixelTensor;
}

/** One view's settings after defaults are applied. */
interface View {
  size: number;
  resample: number;
  background: readonly number[];
  mean: readonly number[];
  std: readonly number[];
}

function squareSize(value: Size | undefined, what: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'number' ? value : value.height;
  if (typeof value !== 'number' && value.height !== value.width) throw new Error(`${what} must be square, got ${value.height}x${value.width}.`);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${what} must be a positive integer, got ${String(n)}.`);
  return n;
}

function triple(values: readonly number[], what: string): readonly number[] {
  if (values.length !== 3 || values.some((v) => !Number.isFinite(v))) {
    throw new Error(`${what} must be three numbers (R, G, B), got ${JSON.stringify(values)}.`);
  }
  return values;
}

/**
 * The padding colour of a view: the config's own, else `int(mean * 255)` of the configured mean,
 * else 127 grey (what the Hugging Face processors compute when they are built).
 */
export function backgroundColour(explicit: number[] | undefined, mean: readonly number[] | undefined): readonly number[] {
  if (explicit) return triple(explicit, 'background_color');
  if (!mean) return [127, 127, 127];
  return mean.map((m) => Math.trunc(m * 255));
}

/** True when the config describes the hybrid processor (has a high-res size or says so by name). */
export function isHybridProcessor(config: DeepseekVlImageProcessorConfig): boolean {
  return config.high_res_size !== undefined || /Hybrid/.test(config.image_processor_type ?? '');
}

/** Longer side → `size` with the view's filter, then centred on a `size`×`size` square of its background. */
export function resizeAndPadToSquare(image: RgbImage, view: Pick<View, 'size' | 'resample' | 'background'>, minSize: number): RgbImage {
  const delta = view.size / Math.max(image.width, image.height);
  const h = Math.max(Math.trunc(image.height * delta), minSize);
  const w = Math.max(Math.trunc(image.width * delta), minSize);
  const resized = resizeLikePillow(image, w, h, view.resample);
  if (h === w) return resized;
  // Hugging Face pads to the longer of the *resized* sides, which is `size` except with min_size quirks.
  const side = Math.max(h, w);
  const out = new Uint8Array(side * side * 3);
  for (let i = 0; i < side * side; i++) out.set(view.background, i * 3);
  const top = w > h ? Math.floor((side - h) / 2) : 0;
  const left = w > h ? 0 : Math.floor((side - w) / 2);
  for (let y = 0; y < h; y++) out.set(resized.data.subarray(y * w * 3, (y + 1) * w * 3), ((top + y) * side + left) * 3);
  return { data: out, width: side, height: side };
}

/** Rescale and normalise into float32 CHW, rounding like numpy's float32 arithmetic does. */
export function normalizeToTensor(
  image: RgbImage,
  rescale: number | undefined,
  mean: readonly number[] | undefined,
  std: readonly number[] | undefined,
): PixelTensor {
  const plane = image.width * image.height;
  const data = new Float32Array(3 * plane);
  const m = mean?.map((v) => Math.fround(v));
  const s = std?.map((v) => Math.fround(v));
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < plane; i++) {
      // HF rescales in float64 then casts to float32; normalise runs in float32 (one rounding per op).
      const x = rescale === undefined ? image.data[i * 3 + c] : Math.fround(image.data[i * 3 + c] * rescale);
      data[c * plane + i] = m && s ? Math.fround(Math.fround(x - m[c]) / s[c]) : x;
    }
  }
  return { data, dims: [1, 3, image.height, image.width] };
}

/** Applies the class defaults of the Hugging Face processors to a config read from a checkpoint. */
function views(config: DeepseekVlImageProcessorConfig): { low: View; high?: View; minSize: number; rescale?: number; normalize: boolean } {
  if (config.do_resize === false || config.do_pad === false) {
    throw new Error('the image processor config turns off do_resize or do_pad; the vision graph takes square images of a fixed size, so both must stay on.');
  }
  const hybrid = isHybridProcessor(config);
  const mean = triple(config.image_mean ?? CLIP_MEAN, 'image_mean');
  const low: View = {
    size: squareSize(config.size, 'size', 384),
    resample: config.resample ?? PIL_RESAMPLE.bicubic,
    background: backgroundColour(config.background_color, config.image_mean ?? (hybrid ? undefined : CLIP_MEAN)),
    mean,
    std: triple(config.image_std ?? CLIP_STD, 'image_std'),
  };
  const high: View | undefined = hybrid
    ? {
        size: squareSize(config.high_res_size, 'high_res_size', 1024),
        resample: config.high_res_resample ?? PIL_RESAMPLE.bicubic,
        background: backgroundColour(config.high_res_background_color, config.high_res_image_mean),
        mean: triple(config.high_res_image_mean ?? CLIP_MEAN, 'high_res_image_mean'),
        std: triple(config.high_res_image_std ?? CLIP_STD, 'high_res_image_std'),
      }
    : undefined;
  return {
    low,
    high,
    minSize: config.min_size ?? 14,
    rescale: config.do_rescale === false ? undefined : (config.rescale_factor ?? 1 / 255),
    normalize: config.do_normalize !== false,
  };
}

/** The 8-bit squares each view resizes and pads to, before rescaling (what `model-host inputs` can dump). */
export function resizedSquares(rgb: RgbImage, config: DeepseekVlImageProcessorConfig): { low: RgbImage; high?: RgbImage } {
  const v = views(config);
  if (!v.high) return { low: resizeAndPadToSquare(rgb, v.low, v.minSize) };
  const high = resizeAndPadToSquare(rgb, v.high, v.minSize);
  return { low: resizeAndPadToSquare(high, v.low, v.minSize), high };
}

/** Pixel tensors for the vision graph of a DeepSeek-VL model from already decoded RGB pixels. */
export function preprocessRgbForDeepseekVl(rgb: RgbImage, config: DeepseekVlImageProcessorConfig): DeepseekVlPixels {
  const v = views(config);
  const squares = resizedSquares(rgb, config);
  const tensor = (image: RgbImage, view: View) => normalizeToTensor(image, v.rescale, v.normalize ? view.mean : undefined, v.normalize ? view.std : undefined);
  return {
    pixelValues: tensor(squares.low, v.low),
    ...(squares.high && v.high ? { highResPixelValues: tensor(squares.high, v.high) } : {}),
  };
}

/**
 * The image processor config for a checkpoint that ships none: the values transformers' conversion
 * scripts write for the published DeepSeek-VL checkpoints (SigLIP at mean = std = 0.5, bicubic; the
 * hybrid's SigLIP view bilinear and its SAM view bicubic at CLIP statistics), with the image sizes
 * taken from the model's own vision configs.
 */
export function defaultImageProcessorConfig(modelConfig: {
  model_type?: string;
  vision_config?: { image_size?: number };
  high_res_vision_config?: { image_size?: number };
}): DeepseekVlImageProcessorConfig {
  const size = modelConfig.vision_config?.image_size ?? 384;
  const base: DeepseekVlImageProcessorConfig = {
    image_processor_type: 'DeepseekVLImageProcessor',
    size: { height: size, width: size },
    min_size: 14,
    resample: PIL_RESAMPLE.bicubic,
    rescale_factor: 1 / 255,
    image_mean: [0.5, 0.5, 0.5],
    image_std: [0.5, 0.5, 0.5],
    background_color: [127, 127, 127],
  };
  if (modelConfig.model_type !== 'deepseek_vl_hybrid') return base;
  const high = modelConfig.high_res_vision_config?.image_size ?? 1024;
  return {
    ...base,
    image_processor_type: 'DeepseekVLHybridImageProcessor',
    resample: PIL_RESAMPLE.bilinear,
    high_res_size: { height: high, width: high },
    high_res_resample: PIL_RESAMPLE.bicubic,
    high_res_image_mean: [...CLIP_MEAN],
    high_res_image_std: [...CLIP_STD],
    high_res_background_color: CLIP_MEAN.map((m) => Math.trunc(m * 255)),
  };
}
