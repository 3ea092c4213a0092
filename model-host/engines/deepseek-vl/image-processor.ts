/**
 * DeepSeek-VL image preprocessing: `LoadedImage` → `pixel_values` (SigLIP branch) and, for the hybrid
 * model, `high_res_pixel_values` (SAM branch), following Hugging Face's `DeepseekVLImageProcessor` and
 * `DeepseekVLHybridImageProcessor` step for step:
 *
 * 1. resize so the longer side is `size` (the shorter side is `max(int(side * size / longer), min_size)`,
 *    truncated, not rounded) with PIL bicubic on 8-bit pixels;
 * 2. pad to a square, image centred (offset `(size - side) // 2`), with the background colour
 *    `int(mean * 255)` per channel (127 grey when no mean is configured);
 * 3. rescale by 1/255 and normalise `(x - mean) / std` in float32, channels first.
 *
 * The hybrid processor makes the high-res square first and derives the low-res image from that 8-bit
 * square (not from the original), so both branches see the same padding geometry.
 */
import type { LoadedImage } from '../engine';
import { decodeLoadedImage } from '../vlm/preprocess-load-image';
import { resizeBicubicLikePil, type RgbImage } from '../../images/resize-like-pillow';

/** CLIP's statistics, Hugging Face's default for both DeepSeek-VL processors (OPENAI_CLIP_MEAN/STD). */
export const CLIP_MEAN: readonly number[] = [0.48145466, 0.4578275, 0.40821073];
export const CLIP_STD: readonly number[] = [0.26862954, 0.26130258, 0.27577711];

/** The fields of a `preprocessor_config.json` we use (Hugging Face names; all optional). */
export interface DeepseekVlProcessorConfig {
  size?: { height: number; width: number } | number;
  high_res_size?: { height: number; width: number } | number;
  min_size?: number;
  rescale_factor?: number;
  image_mean?: number[];
  image_std?: number[];
  high_res_image_mean?: number[];
  high_res_image_std?: number[];
  /** Present for the hybrid processor (`DeepseekVLHybridImageProcessor`). */
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

function squareSize(value: DeepseekVlProcessorConfig['size'], what: string): number {
  if (value === undefined) throw new Error(`preprocessor_config.json has no ${what}; reconvert the model.`);
  const n = typeof value === 'number' ? value : value.height;
  if (typeof value !== 'number' && value.height !== value.width) {
    throw new Error(`${what} must be square, got ${value.height}x${value.width}.`);
  }
  if (!Number.isInteger(n) || n < 1) throw new Error(`${what} must be a positive integer, got ${String(n)}.`);
  return n;
}

function checkStats(values: readonly number[], what: string): void {
  if (values.length !== 3 || values.some((v) => !Number.isFinite(v))) {
    throw new Error(`${what} must be three numbers (R, G, B), got ${JSON.stringify(values)}.`);
  }
}

/** Hugging Face's padding colour: `int(x * 255)` of the configured mean, or 127 grey without one. */
export function backgroundColour(mean: readonly number[] | undefined): [number, number, number] {
  if (!mean) return [127, 127, 127];
  return [Math.trunc(mean[0] * 255), Math.trunc(mean[1] * 255), Math.trunc(mean[2] * 255)];
}

/** Longer side → `size`, then centred on a `size`×`size` square of `background`. */
export function resizeAndPadToSquare(image: RgbImage, size: number, minSize: number, background: readonly number[]): RgbImage {
  const delta = size / Math.max(image.width, image.height);
  const h = Math.max(Math.trunc(image.height * delta), minSize);
  const w = Math.max(Math.trunc(image.width * delta), minSize);
  const resized = resizeBicubicLikePil(image, w, h);
  if (h === w) return resized;
  // Hugging Face pads to the longer of the *resized* sides, which is `size` except with min_size quirks.
  const side = Math.max(h, w);
  const out = new Uint8Array(side * side * 3);
  for (let i = 0; i < side * side; i++) {
    out[i * 3] = background[0];
    out[i * 3 + 1] = background[1];
    out[i * 3 + 2] = background[2];
  }
  const top = w > h ? Math.floor((side - h) / 2) : 0;
  const left = w > h ? 0 : Math.floor((side - w) / 2);
  for (let y = 0; y < h; y++) {
    out.set(resized.data.subarray(y * w * 3, (y + 1) * w * 3), ((top + y) * side + left) * 3);
  }
  return { data: out, width: side, height: side };
}

/** Rescale and normalise into float32 CHW, rounding like numpy's float32 arithmetic does. */
export function normalizeToTensor(image: RgbImage, rescale: number, mean: readonly number[], std: readonly number[]): PixelTensor {
  const plane = image.width * image.height;
  const data = new Float32Array(3 * plane);
  const m = mean.map((v) => Math.fround(v));
  const s = std.map((v) => Math.fround(v));
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < plane; i++) {
      // HF rescales in float64 then casts to float32; normalise runs in float32 (one rounding per op).
      const x = Math.fround(image.data[i * 3 + c] * rescale);
      data[c * plane + i] = Math.fround(Math.fround(x - m[c]) / s[c]);
    }
  }
  return { data, dims: [1, 3, image.height, image.width] };
}

/** True when the config describes the hybrid processor (has a high-res size or says so by name). */
export function isHybridProcessor(config: DeepseekVlProcessorConfig): boolean {
  return config.high_res_size !== undefined || /Hybrid/.test(config.image_processor_type ?? '');
}

/** The entry point the VLM runtime calls: pixels for the vision graph of a converted DeepSeek-VL model. */
export async function preprocessForDeepseekVl(image: LoadedImage, config: DeepseekVlProcessorConfig): Promise<DeepseekVlPixels> {
  const rgb = await decodeLoadedImage(image);
  return preprocessRgbForDeepseekVl(rgb, config);
}

/** Same as `preprocessForDeepseekVl` on already decoded pixels (tests and benchmarks use it). */
export function preprocessRgbForDeepseekVl(rgb: RgbImage, config: DeepseekVlProcessorConfig): DeepseekVlPixels {
  const size = squareSize(config.size, 'size');
  const minSize = config.min_size ?? 14;
  const rescale = config.rescale_factor ?? 1 / 255;
  const mean = config.image_mean ?? CLIP_MEAN;
  const std = config.image_std ?? CLIP_STD;
  checkStats(mean, 'image_mean');
  checkStats(std, 'image_std');
  const lowBackground = backgroundColour(config.image_mean);
  if (!isHybridProcessor(config)) {
    const low = resizeAndPadToSquare(rgb, size, minSize, lowBackground);
    return { pixelValues: normalizeToTensor(low, rescale, mean, std) };
  }
  const highSize = squareSize(config.high_res_size ?? 1024, 'high_res_size');
  const highMean = config.high_res_image_mean ?? CLIP_MEAN;
  const highStd = config.high_res_image_std ?? CLIP_STD;
  checkStats(highMean, 'high_res_image_mean');
  checkStats(highStd, 'high_res_image_std');
  const high = resizeAndPadToSquare(rgb, highSize, minSize, backgroundColour(config.high_res_image_mean));
  const low = resizeAndPadToSquare(high, size, minSize, lowBackground);
  return {
    pixelValues: normalizeToTensor(low, rescale, mean, std),
    highResPixelValues: normalizeToTensor(high, rescale, highMean, highStd),
  };
}

/**
 * What a converter writes as `preprocessor_config.json` for a checkpoint that ships none: the values of
 * the published DeepSeek-VL processors (SigLIP at mean = std = 0.5, SAM at CLIP statistics), with the
 * image sizes taken from the model's own vision configs.
 */
export function defaultDeepseekVlProcessorConfig(modelConfig: {
  model_type?: string;
  vision_config?: { image_size?: number };
  high_res_vision_config?: { image_size?: number };
}): DeepseekVlProcessorConfig {
  const size = modelConfig.vision_config?.image_size ?? 384;
  const base: DeepseekVlProcessorConfig = {
    size: { height: size, width: size },
    min_size: 14,
    rescale_factor: 1 / 255,
    image_mean: [0.5, 0.5, 0.5],
    image_std: [0.5, 0.5, 0.5],
    image_processor_type: 'DeepseekVLImageProcessor',
  };
  if (modelConfig.model_type !== 'deepseek_vl_hybrid') return base;
  const high = modelConfig.high_res_vision_config?.image_size ?? 1024;
  return {
    ...base,
    image_processor_type: 'DeepseekVLHybridImageProcessor',
    high_res_size: { height: high, width: high },
    high_res_image_mean: [...CLIP_MEAN],
    high_res_image_std: [...CLIP_STD],
  };
}
