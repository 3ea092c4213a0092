/**
 * The background luminance of each pixel row of a region. A line's band can cross the edge of a
 * highlighted row (a selection, a diff's added line, Pygments' `hl_lines`): one background for
 * the whole band then makes the other colour look like ink in every column, and the line loses
 * its spaces and its indentation. Each row's own most common luminance is its background.
 */
import type { RgbRaster } from './raster';

export function luminanceAt(raster: RgbRaster, x: number, y: number): number {
  const i = (y * raster.width + x) * 3;
  return 0.299 * raster.data[i] + 0.587 * raster.data[i + 1] + 0.114 * raster.data[i + 2];
}

/** Background of rows y0…y1-1 over columns x0…x1-1 (clamped to the raster): the row's most common luminance (4-level buckets). */
export function rowBackgrounds(raster: RgbRaster, x0: number, x1: number, y0: number, y1: number): Float32Array {
  const out = new Float32Array(Math.max(0, y1 - y0));
  const hist = new Uint32Array(64);
  for (let y = y0; y < y1; y++) {
    hist.fill(0);
    for (let x = x0; x < x1; x++) hist[Math.min(63, Math.floor(luminanceAt(raster, x, y) / 4))]++;
    let mode = 0;
    for (let b = 1; b < 64; b++) if (hist[b] > hist[mode]) mode = b;
    out[y - y0] = mode * 4 + 2;
  }
  return out;
}
