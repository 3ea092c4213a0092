/**
 * Decoded pixels for the OCR pipeline: one RGB raster per image, plus the small pixel operations the
 * detector and recogniser need (theme detection, bilinear crop-and-scale into a float tensor).
 * Doing the crop/scale here instead of one sharp call per box avoids ~30 async round trips per image.
 */
import sharp from 'sharp';

export interface RgbRaster {
  data: Buffer;
  width: number;
  height: number;
}

/** Larger images are refused up front: decoding 100 Mpx would take seconds and gigabytes. */
export const MAX_OCR_PIXELS = 40_000_000;

export async function decodeRgb(png: Buffer): Promise<RgbRaster> {
  const { data, info } = await sharp(png, { limitInputPixels: MAX_OCR_PIXELS })
    .flatten({ background: '#ffffff' })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 channels after decoding, got ${info.channels}`);
  return { data, width: info.width, height: info.height };
}

/**
 * True when the background is dark (a dark editor theme). The background is the most common
 * luminance bucket; sampling a grid keeps this cheap on large screenshots.
 */
export function hasDarkBackground(raster: RgbRaster): boolean {
  const { data, width, height } = raster;
  const buckets = new Uint32Array(16);
  const step = Math.max(1, Math.floor(Math.sqrt((width * height) / 20000)));
  for (let y = 0; y < height; y += step) {
    for (let x = 0; x < width; x += step) {
      const i = (y * width + x) * 3;
      const lum = 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
      buckets[Math.min(15, Math.floor(lum / 16))]++;
    }
  }
  let best = 0;
  for (let b = 1; b < 16; b++) if (buckets[b] > buckets[best]) best = b;
  return best < 8;
}

/** Returns a copy with every channel inverted (dark theme → dark text on a light background). */
export function invertRaster(raster: RgbRaster): RgbRaster {
  const out = Buffer.allocUnsafe(raster.data.length);
  for (let i = 0; i < out.length; i++) out[i] = 255 - raster.data[i];
  return { data: out, width: raster.width, height: raster.height };
}

/**
 * Writes the region [x0,x1)×[y0,y1) of `raster`, scaled bilinearly to `outW`×`outH`, into `dest`
 * (CHW float, row stride `destW`) at batch offset `offset`, normalised as (v/255 − 0.5)/0.5, after
 * the crop's own tone mapping when given (contrast.ts).
 */
export function cropScaleNormalise(
  raster: RgbRaster,
  region: { x0: number; y0: number; x1: number; y1: number },
  outW: number,
  outH: number,
  dest: Float32Array,
  offset: number,
  destW: number,
  tone?: { a: number; b: number },
): void {
  const { data, width, height } = raster;
  const sx = (region.x1 - region.x0) / outW;
  const sy = (region.y1 - region.y0) / outH;
  const plane = outH * destW;
  for (let oy = 0; oy < outH; oy++) {
    const fy = Math.min(height - 1, Math.max(0, region.y0 + (oy + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(height - 1, y0 + 1);
    const wy = fy - y0;
    for (let ox = 0; ox < outW; ox++) {
      const fx = Math.min(width - 1, Math.max(0, region.x0 + (ox + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(width - 1, x0 + 1);
      const wx = fx - x0;
      const a = (y0 * width + x0) * 3;
      const b = (y0 * width + x1) * 3;
      const c = (y1 * width + x0) * 3;
      const d = (y1 * width + x1) * 3;
      for (let ch = 0; ch < 3; ch++) {
        const top = data[a + ch] * (1 - wx) + data[b + ch] * wx;
        const bottom = data[c + ch] * (1 - wx) + data[d + ch] * wx;
        const raw = top * (1 - wy) + bottom * wy;
        const v = tone ? Math.min(255, Math.max(0, tone.a * raw + tone.b)) : raw;
        dest[offset + ch * plane + oy * destW + ox] = v / 127.5 - 1;
      }
    }
  }
}
