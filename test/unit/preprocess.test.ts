/**
 * DeepSeek-VL preprocessing against values computed here independently: a direct, per-pixel evaluation of
 * Pillow's bicubic and bilinear resampling and of Hugging Face's pad/rescale/normalise steps (no shared code with the
 * implementation), cross-checked against libvips (sharp) where both agree on the kernel (downscaling).
 * Images: test/fixtures/images (landscape PNG, EXIF-rotated JPEG, RGBA PNG, 16-bit grey PNG).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import sharp from 'sharp';
import { loadImage, type LoadedImage } from '../../model-host/images/load-image';
import { rgbDroppingAlpha } from '../../model-host/images/rgb-pixels';
import {
  CLIP_MEAN,
  CLIP_STD,
  defaultImageProcessorConfig,
  preprocessRgbForDeepseekVl,
  type DeepseekVlImageProcessorConfig,
} from '../../model-host/engines/deepseek-vl/image-processor';
import { PIL_RESAMPLE, resizeBicubicLikePil, resizeLikePillow } from '../../model-host/images/resize-like-pillow';

const IMAGES = path.resolve(__dirname, '..', 'fixtures', 'images');
const img = (name: string) => path.join(IMAGES, name);

// ---- independent reference -------------------------------------------------------------------

interface Px {
  w: number;
  h: number;
  at(x: number, y: number, c: number): number;
}

/** Bicubic (a = -0.5, support 2) and triangle (bilinear, support 1) kernels, written out. */
const CUBIC = { support: 2, at: (t: number) => (t < 1 ? 1.5 * t ** 3 - 2.5 * t ** 2 + 1 : t < 2 ? -0.5 * t ** 3 + 2.5 * t ** 2 - 4 * t + 2 : 0) };
const TRIANGLE = { support: 1, at: (t: number) => Math.max(0, 1 - t) };
type Kernel = typeof CUBIC;

/** Pillow's weights for output index `o` (kernel stretched when downscaling), as fixed-point ints. */
function pilTaps(inSize: number, outSize: number, o: number, kernel: Kernel = CUBIC): Array<[number, number]> {
  const scale = inSize / outSize;
  const fs = scale > 1 ? scale : 1;
  const centre = (o + 0.5) * scale;
  const first = Math.max(0, Math.trunc(centre - kernel.support * fs + 0.5));
  const end = Math.min(inSize, Math.trunc(centre + kernel.support * fs + 0.5));
  const kern = (t: number) => kernel.at(Math.abs(t));
  const ws: number[] = [];
  for (let i = first; i < end; i++) ws.push(kern((i - centre + 0.5) / fs));
  const total = ws.reduce((a, b) => a + b, 0);
  return ws.map((w, k) => {
    const q = (w / total) * 4194304;
    return [first + k, q < 0 ? Math.ceil(q - 0.5) : Math.floor(q + 0.5)];
  });
}

function pilSum(taps: Array<[number, number]>, value: (i: number) => number): number {
  let acc = 2097152;
  for (const [i, k] of taps) acc += value(i) * k;
  return Math.min(255, Math.max(0, Math.floor(acc / 4194304)));
}

function refResize(src: Px, W: number, H: number, kernel: Kernel = CUBIC): Px {
  let cur = src;
  if (W !== cur.w) {
    const prev = cur;
    const vals: number[] = [];
    for (let y = 0; y < prev.h; y++) {
      for (let x = 0; x < W; x++) {
        const taps = pilTaps(prev.w, W, x, kernel);
        for (let c = 0; c < 3; c++) vals.push(pilSum(taps, (i) => prev.at(i, y, c)));
      }
    }
    cur = { w: W, h: prev.h, at: (x, y, c) => vals[(y * W + x) * 3 + c] };
  }
  if (H !== cur.h) {
    const prev = cur;
    const vals: number[] = [];
    for (let y = 0; y < H; y++) {
      const taps = pilTaps(prev.h, H, y, kernel);
      for (let x = 0; x < prev.w; x++) for (let c = 0; c < 3; c++) vals.push(pilSum(taps, (i) => prev.at(x, i, c)));
    }
    cur = { w: prev.w, h: H, at: (x, y, c) => vals[(y * prev.w + x) * 3 + c] };
  }
  return cur;
}

/** HF DeepseekVL(Hybrid)ImageProcessor.resize + pad_to_square, written out directly. */
function refResizePad(src: Px, size: number, bg: number[], kernel: Kernel = CUBIC): Px {
  const longer = Math.max(src.w, src.h);
  const h = Math.max(Math.floor((src.h * size) / longer), 14);
  const w = Math.max(Math.floor((src.w * size) / longer), 14);
  const r = refResize(src, w, h, kernel);
  const top = Math.floor((size - h) / 2);
  const left = Math.floor((size - w) / 2);
  return {
    w: size,
    h: size,
    at: (x, y, c) => (x >= left && x < left + w && y >= top && y < top + h ? r.at(x - left, y - top, c) : bg[c]),
  };
}

function refNormalize(p: Px, mean: readonly number[], std: readonly number[]): Float64Array {
  const out = new Float64Array(3 * p.w * p.h);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < p.h; y++) for (let x = 0; x < p.w; x++) out[(c * p.h + y) * p.w + x] = (p.at(x, y, c) / 255 - mean[c]) / std[c];
  }
  return out;
}

/** The pixels the processor starts from: loaded, alpha dropped. */
async function pixelsOf(file: string): Promise<Px & { raw: Uint8Array }> {
  const { data, info } = await sharp((await loadImage({ path: file })).png)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { w: info.width, h: info.height, raw: data, at: (x, y, c) => data[(y * info.width + x) * info.channels + c] };
}

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const TINY_HYBRID: DeepseekVlImageProcessorConfig = defaultImageProcessorConfig({
  model_type: 'deepseek_vl_hybrid',
  vision_config: { image_size: 64 },
  high_res_vision_config: { image_size: 128 },
});
const TINY_PLAIN: DeepseekVlImageProcessorConfig = defaultImageProcessorConfig({ model_type: 'deepseek_vl', vision_config: { image_size: 64 } });

const preprocess = async (image: LoadedImage, config: DeepseekVlImageProcessorConfig) => preprocessRgbForDeepseekVl(await rgbDroppingAlpha(image), config);
const load = (file: string) => loadImage({ path: file });
const HALF = [0.5, 0.5, 0.5];

// ---- tests -------------------------------------------------------------------------------------

for (const [name, resample, kernel] of [
  ['bicubic', PIL_RESAMPLE.bicubic, CUBIC],
  ['bilinear', PIL_RESAMPLE.bilinear, TRIANGLE],
] as const) {
  test(`resampler matches the reference evaluation of Pillow ${name}, down and up`, async () => {
    const src = await pixelsOf(img('landscape-150x90.png'));
    for (const [W, H] of [
      [64, 38],
      [150, 33],
      [211, 90],
      [300, 180],
      [7, 5],
    ]) {
      const mine = resizeLikePillow({ data: src.raw, width: src.w, height: src.h }, W, H, resample);
      const ref = refResize(src, W, H, kernel);
      const expected: number[] = [];
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < 3; c++) expected.push(ref.at(x, y, c));
      assert.equal(maxAbs(mine.data, expected), 0, `resize to ${W}x${H}`);
    }
  });
}

test('downscaling agrees with libvips cubic (an unrelated implementation) within 3 levels', async () => {
  const loaded = await load(img('landscape-150x90.png'));
  const rgb = await rgbDroppingAlpha(loaded);
  const mine = resizeBicubicLikePil(rgb, 64, 38);
  const vips = await sharp(loaded.png).resize(64, 38, { kernel: 'cubic', fit: 'fill' }).raw().toBuffer();
  assert.ok(maxAbs(mine.data, vips) <= 3);
});

test('plain DeepSeek-VL: landscape image → 64×64 SigLIP input, centred on 127 grey, mean=std=0.5', async () => {
  const src = await pixelsOf(img('landscape-150x90.png'));
  const out = await preprocess(await load(img('landscape-150x90.png')), TINY_PLAIN);
  assert.equal(out.highResPixelValues, undefined);
  assert.deepEqual(out.pixelValues.dims, [1, 3, 64, 64]);
  const ref = refNormalize(refResizePad(src, 64, [127, 127, 127]), HALF, HALF);
  assert.ok(maxAbs(out.pixelValues.data, ref) < 1e-6);
  // 150x90 → 64x38: rows 0..12 and 51..63 are padding: (127/255 - 0.5) / 0.5
  assert.ok(Math.abs(out.pixelValues.data[0] - (127 / 255 - 0.5) / 0.5) < 1e-6);
  assert.ok(Math.abs(out.pixelValues.data[63 * 64] - (127 / 255 - 0.5) / 0.5) < 1e-6);
  assert.notEqual(out.pixelValues.data[13 * 64 + 5], out.pixelValues.data[0]);
});

test('hybrid: SAM input padded with int(CLIP mean*255) bicubic, SigLIP input resized bilinear from the SAM square', async () => {
  const file = img('gray16-21x35.png');
  const src = await pixelsOf(file);
  const out = await preprocess(await load(file), TINY_HYBRID);
  assert.deepEqual(out.highResPixelValues?.dims, [1, 3, 128, 128]);
  assert.deepEqual(out.pixelValues.dims, [1, 3, 64, 64]);
  const highPx = refResizePad(src, 128, [122, 116, 104]);
  assert.ok(maxAbs(out.highResPixelValues!.data, refNormalize(highPx, CLIP_MEAN, CLIP_STD)) < 1e-5);
  const lowPx = refResize(highPx, 64, 64, TRIANGLE);
  assert.ok(maxAbs(out.pixelValues.data, refNormalize(lowPx, HALF, HALF)) < 1e-6);
  // Portrait 21x35 → 76x128 at high res: column 0 is padding in the SAM colour.
  for (let c = 0; c < 3; c++) {
    const v = out.highResPixelValues!.data[c * 128 * 128];
    assert.ok(Math.abs(v - ([122, 116, 104][c] / 255 - CLIP_MEAN[c]) / CLIP_STD[c]) < 1e-5);
  }
});

test('full-size 384/1024 hybrid geometry on a landscape image', async () => {
  const file = img('landscape-150x90.png');
  const src = await pixelsOf(file);
  const config = defaultImageProcessorConfig({ model_type: 'deepseek_vl_hybrid' });
  const out = await preprocess(await load(file), config);
  assert.deepEqual(out.pixelValues.dims, [1, 3, 384, 384]);
  assert.deepEqual(out.highResPixelValues?.dims, [1, 3, 1024, 1024]);
  const highPx = refResizePad(src, 1024, [122, 116, 104]);
  assert.ok(maxAbs(out.pixelValues.data, refNormalize(refResize(highPx, 384, 384, TRIANGLE), HALF, HALF)) < 1e-6);
});

test('EXIF orientation is applied before anything else', async () => {
  const loaded = await load(img('exif-rotated-48x32-o6.jpg'));
  // Stored 48x32 with a red block at the top-left; orientation 6 displays it rotated 90° clockwise.
  assert.equal(loaded.width, 32);
  assert.equal(loaded.height, 48);
  const rgb = await rgbDroppingAlpha(loaded);
  const at = (x: number, y: number) => Array.from(rgb.data.subarray((y * 32 + x) * 3, (y * 32 + x) * 3 + 3));
  const topRight = at(29, 3);
  assert.ok(topRight[0] > 200 && topRight[1] < 60 && topRight[2] < 60, `top-right ${topRight}`);
  const topLeft = at(2, 3);
  assert.ok(topLeft[0] < 60, `top-left ${topLeft}`);
});

test('alpha is dropped, keeping the colour stored under transparent pixels, and grey becomes three equal channels', async () => {
  // As Pillow's convert("RGB") does: pixel 0 is opaque blue, 20 half-transparent black, 39 fully transparent black.
  const alpha = await rgbDroppingAlpha(await load(img('alpha-40x24.png')));
  assert.deepEqual(Array.from(alpha.data.subarray(0, 3)), [0, 0, 255]);
  assert.deepEqual(Array.from(alpha.data.subarray(20 * 3, 21 * 3)), [0, 0, 0]);
  assert.deepEqual(Array.from(alpha.data.subarray(39 * 3, 40 * 3)), [0, 0, 0]);
  const grey = await rgbDroppingAlpha(await load(img('gray16-21x35.png')));
  assert.equal(grey.data.length, 21 * 35 * 3);
  let distinct = 0;
  for (let i = 0; i < grey.data.length; i += 3) {
    assert.equal(grey.data[i], grey.data[i + 1]);
    assert.equal(grey.data[i], grey.data[i + 2]);
    if (grey.data[i] !== grey.data[0]) distinct++;
  }
  assert.ok(distinct > 0, '16-bit values survived as 8-bit greys');
});

test('bad config says what is wrong', async () => {
  const loaded = await load(img('alpha-40x24.png'));
  await assert.rejects(preprocess(loaded, { ...TINY_PLAIN, size: { height: 64, width: 32 } }), /size must be square/);
  await assert.rejects(preprocess(loaded, { ...TINY_PLAIN, image_mean: [0.5] }), /image_mean must be three numbers/);
  await assert.rejects(preprocess(loaded, { ...TINY_PLAIN, resample: 7 }), /resample 7 is not a Pillow filter/);
  await assert.rejects(preprocess(loaded, { ...TINY_PLAIN, do_pad: false }), /do_resize or do_pad/);
});
