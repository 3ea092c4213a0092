/**
 * Bicubic resize of 8-bit RGB images with the arithmetic of Pillow's `Image.resize(..., BICUBIC)`,
 * which is what Hugging Face's DeepSeek-VL image processors call (`image_transforms.resize` hands a
 * uint8 array to PIL with `reducing_gap=None`). Matching it bit for bit matters because the model
 * was trained on PIL-resized pixels; sharp/libvips uses a different (also Catmull-Rom) kernel
 * placement and rounding, so it is only used to decode/encode, not to resize model inputs.
 *
 * The algorithm (public Pillow behaviour): separable filter, horizontal pass first, then vertical;
 * the kernel is stretched by the scale factor when downscaling (antialiasing); each output pixel's
 * weights are normalised to sum 1, turned into 22-bit fixed point, accumulated with a half-unit
 * bias and clipped to 0..255 after each pass.
 */

/** Pillow's bicubic kernel (a = -0.5, support 2). */
function bicubic(x: number): number {
  const a = -0.5;
  const t = Math.abs(x);
  if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
  return 0;
}

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 2 ** PRECISION_BITS;

/** Per output index: first input index, number of taps, fixed-point weights (`taps` entries from `offset`). */
interface Coefficients {
  start: Int32Array;
  taps: Int32Array;
  maxTaps: number;
  weights: Float64Array;
}

function coefficients(inSize: number, outSize: number): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 2 * filterScale;
  const maxTaps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const taps = new Int32Array(outSize);
  const weights = new Float64Array(outSize * maxTaps);
  const raw = new Float64Array(maxTaps);
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale;
    // C's (int) cast truncates toward zero; the clamp to 0 makes that equal to Math.trunc here.
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const hi = Math.min(Math.trunc(center + support + 0.5), inSize);
    const n = hi - lo;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      raw[i] = bicubic((i + lo - center + 0.5) / filterScale);
      sum += raw[i];
    }
    for (let i = 0; i < n; i++) {
      const w = sum !== 0 ? raw[i] / sum : raw[i];
      // Round half away from zero into fixed point, as Pillow's normalize_coeffs_8bpc does.
      weights[o * maxTaps + i] = w < 0 ? Math.trunc(-0.5 + w * ONE) : Math.trunc(0.5 + w * ONE);
    }
    start[o] = lo;
    taps[o] = n;
  }
  return { start, taps, maxTaps, weights };
}

function clip8(acc: number): number {
  if (acc <= 0) return 0;
  if (acc >= 2 ** 30) return 255;
  return Math.floor(acc / ONE);
}

/** One separable pass along x (stride 3 between pixels) or y (stride 3*width between rows). */
function passHorizontal(src: Uint8Array, w: number, h: number, outW: number): Uint8Array {
  const c = coefficients(w, outW);
  const dst = new Uint8Array(outW * h * 3);
  for (let y = 0; y < h; y++) {
    const row = y * w * 3;
    for (let x = 0; x < outW; x++) {
      const base = x * c.maxTaps;
      let r = ONE / 2;
      let g = ONE / 2;
      let b = ONE / 2;
      for (let i = 0; i < c.taps[x]; i++) {
        const k = c.weights[base + i];
        const p = row + (c.start[x] + i) * 3;
        r += src[p] * k;
        g += src[p + 1] * k;
        b += src[p + 2] * k;
      }
      const q = (y * outW + x) * 3;
      dst[q] = clip8(r);
      dst[q + 1] = clip8(g);
      dst[q + 2] = clip8(b);
    }
  }
  return dst;
}

function passVertical(src: Uint8Array, w: number, h: number, outH: number): Uint8Array {
  const c = coefficients(h, outH);
  const dst = new Uint8Array(w * outH * 3);
  const stride = w * 3;
  for (let y = 0; y < outH; y++) {
    const base = y * c.maxTaps;
    for (let x = 0; x < w; x++) {
      let r = ONE / 2;
      let g = ONE / 2;
      let b = ONE / 2;
      for (let i = 0; i < c.taps[y]; i++) {
        const k = c.weights[base + i];
        const p = (c.start[y] + i) * stride + x * 3;
        r += src[p] * k;
        g += src[p + 1] * k;
        b += src[p + 2] * k;
      }
      const q = (y * w + x) * 3;
      dst[q] = clip8(r);
      dst[q + 1] = clip8(g);
      dst[q + 2] = clip8(b);
    }
  }
  return dst;
}

/** Packed RGB, 3 bytes per pixel, rows top to bottom. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Resizes like PIL `resize((outW, outH), BICUBIC)`; a pass whose size does not change is skipped, as in Pillow. */
export function resizeBicubicLikePil(image: RgbImage, outW: number, outH: number): RgbImage {
  if (!Number.isInteger(outW) || !Number.isInteger(outH) || outW < 1 || outH < 1) {
    throw new Error(`Cannot resize to ${outW}x${outH}: the target size must be positive integers.`);
  }
  let data = image.data;
  if (outW !== image.width) data = passHorizontal(data, image.width, image.height, outW);
  if (outH !== image.height) data = passVertical(data, outW, image.height, outH);
  return { data, width: outW, height: outH };
}
