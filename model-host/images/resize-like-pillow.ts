/**
 * Resizing of 8-bit RGB images with the arithmetic of Pillow's `Image.resize(size, resample)`, which is
 * what Hugging Face's image processors call (`image_transforms.resize` hands a uint8 array to PIL with
 * `reducing_gap=None`). Matching it bit for bit matters because the models were trained on
 * PIL-resized pixels; sharp/libvips places and rounds its kernels differently, so it decodes and
 * encodes here but never resizes model inputs.
 *
 * The algorithm (public Pillow behaviour, `Resample.c`): a separable filter, horizontal pass first,
 * then vertical; when downscaling, the kernel is stretched by the scale factor (antialiasing); each
 * output pixel's weights are normalised to sum 1, turned into 22-bit fixed point, accumulated with a
 * half-unit bias and clipped to 0..255 after each pass. NEAREST is not a convolution in Pillow: it
 * samples the source pixel under each output pixel's centre through an affine transform.
 */

/** Packed RGB, 3 bytes per pixel, rows top to bottom. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Pillow's `Image.Resampling` numbers, as `resample` in a `preprocessor_config.json`. */
export const PIL_RESAMPLE = { nearest: 0, lanczos: 1, bilinear: 2, bicubic: 3, box: 4, hamming: 5 } as const;
export type PilResample = (typeof PIL_RESAMPLE)[keyof typeof PIL_RESAMPLE];

interface Filter {
  support: number;
  weight(x: number): number;
}

const sinc = (x: number) => (x === 0 ? 1 : Math.sin(x * Math.PI) / (x * Math.PI));

/** Pillow's convolution filters (`Resample.c`), by resample number. */
const FILTERS: Record<Exclude<PilResample, 0>, Filter> = {
  1: { support: 3, weight: (x) => (x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0) },
  2: { support: 1, weight: (x) => (Math.abs(x) < 1 ? 1 - Math.abs(x) : 0) },
  3: {
    support: 2,
    weight: (x) => {
      const a = -0.5;
      const t = Math.abs(x);
      if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
      if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
      return 0;
    },
  },
  4: { support: 0.5, weight: (x) => (x > -0.5 && x <= 0.5 ? 1 : 0) },
  5: {
    support: 1,
    weight: (x) => {
      const t = Math.abs(x);
      if (t === 0) return 1;
      if (t >= 1) return 0;
      const p = t * Math.PI;
      // Pillow writes these constants as C floats (0.54f, 0.46f).
      return (Math.sin(p) / p) * (Math.fround(0.54) + Math.fround(0.46) * Math.cos(p));
    },
  },
};

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 2 ** PRECISION_BITS;

/** Per output index: first input index, number of taps, fixed-point weights (`maxTaps` slots each). */
interface Coefficients {
  start: Int32Array;
  taps: Int32Array;
  maxTaps: number;
  weights: Float64Array;
}

function coefficients(inSize: number, outSize: number, filter: Filter): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filter.support * filterScale;
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
      raw[i] = filter.weight((i + lo - center + 0.5) / filterScale);
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

/**
 * One separable pass. `count` lines of `inLen` pixels become lines of `outLen`; `pixelStep` and
 * `lineStep` say how pixels and lines lie in memory (horizontal: 3 and 3*width; vertical: the reverse).
 */
function pass(
  src: Uint8Array,
  c: Coefficients,
  count: number,
  outLen: number,
  inPixel: number,
  inLine: number,
  outPixel: number,
  outLine: number,
  size: number,
): Uint8Array {
  const dst = new Uint8Array(size);
  for (let line = 0; line < count; line++) {
    for (let o = 0; o < outLen; o++) {
      const base = o * c.maxTaps;
      let r = ONE / 2;
      let g = ONE / 2;
      let b = ONE / 2;
      for (let i = 0; i < c.taps[o]; i++) {
        const k = c.weights[base + i];
        const p = line * inLine + (c.start[o] + i) * inPixel;
        r += src[p] * k;
        g += src[p + 1] * k;
        b += src[p + 2] * k;
      }
      const q = line * outLine + o * outPixel;
      dst[q] = clip8(r);
      dst[q + 1] = clip8(g);
      dst[q + 2] = clip8(b);
    }
  }
  return dst;
}

/** Pillow's NEAREST resize: the source pixel under each output centre, stepped as its affine transform steps. */
function resizeNearest(image: RgbImage, outW: number, outH: number): RgbImage {
  const ax = image.width / outW;
  const ay = image.height / outH;
  const xs = new Int32Array(outW);
  let xx = ax * 0.5;
  for (let x = 0; x < outW; x++, xx += ax) xs[x] = Math.min(Math.trunc(xx), image.width - 1);
  const out = new Uint8Array(outW * outH * 3);
  let yy = ay * 0.5;
  for (let y = 0; y < outH; y++, yy += ay) {
    const sy = Math.min(Math.trunc(yy), image.height - 1);
    for (let x = 0; x < outW; x++) {
      const s = (sy * image.width + xs[x]) * 3;
      const d = (y * outW + x) * 3;
      out[d] = image.data[s];
      out[d + 1] = image.data[s + 1];
      out[d + 2] = image.data[s + 2];
    }
  }
  return { data: out, width: outW, height: outH };
}

/** Resizes like PIL `resize((outW, outH), resample)`; a pass whose size does not change is skipped, as in Pillow. */
export function resizeLikePillow(image: RgbImage, outW: number, outH: number, resample: number): RgbImage {
  if (!Number.isInteger(outW) || !Number.isInteger(outH) || outW < 1 || outH < 1) {
    throw new Error(`Cannot resize to ${outW}x${outH}: the target size must be positive integers.`);
  }
  if (resample === PIL_RESAMPLE.nearest) return resizeNearest(image, outW, outH);
  const filter = FILTERS[resample as Exclude<PilResample, 0>];
  if (!filter) throw new Error(`resample ${resample} is not a Pillow filter (0 nearest, 1 lanczos, 2 bilinear, 3 bicubic, 4 box, 5 hamming)`);
  let data = image.data;
  const { width: w, height: h } = image;
  if (outW !== w) data = pass(data, coefficients(w, outW, filter), h, outW, 3, w * 3, 3, outW * 3, outW * h * 3);
  if (outH !== h) data = pass(data, coefficients(h, outH, filter), outW, outH, outW * 3, 3, outW * 3, 3, outW * outH * 3);
  return { data, width: outW, height: outH };
}

/** Bicubic, the filter most processors use (kept as a name for the tests that check it alone). */
export function resizeBicubicLikePil(image: RgbImage, outW: number, outH: number): RgbImage {
  return resizeLikePillow(image, outW, outH, PIL_RESAMPLE.bicubic);
}
