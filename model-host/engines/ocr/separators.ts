/**
 * Vertical separators across text lines: x ranges that are blank (or hold a thin vertical rule) in
 * every line's pixel band. Editors, coverage reports and diff views draw a gutter as a column of
 * ink left of the code with such a separator after it; columns of a page (a sidebar beside the
 * text) are separated the same way. The geometry is found on pixels, before any text is read, so
 * it does not depend on what the gutter holds. Pure functions.
 */
import type { RgbRaster } from './raster';
import { luminanceAt, rowBackgrounds } from './row-background';

export interface Band {
  x0: number;
  /** Exclusive. */
  x1: number;
  y0: number;
  /** Exclusive. */
  y1: number;
}

export interface Separator {
  x0: number;
  /** Exclusive. */
  x1: number;
  /** Right edge (exclusive) of the last rule column inside, when the separator holds a rule. */
  ruleX1?: number;
}

/** Minimum luminance distance from a band's background for a pixel to count as ink (as in ink.ts). */
const INK_CONTRAST = 56;
/**
 * Per column of [x0,x1): 0 when the column is the band's background all the way down, 1 when it is
 * one flat colour that is not (a vertical rule, or a gutter drawn on its own background), 2 when it
 * varies (glyph strokes on some background): text. Flatness, not the band's background, decides,
 * so a gutter with a light background in a dark editor is still told from its numbers.
 */
export function columnStates(raster: RgbRaster, band: Band, x0: number, x1: number): Uint8Array {
  const { width, height } = raster;
  const by0 = Math.max(0, Math.floor(band.y0));
  const by1 = Math.min(height, Math.ceil(band.y1));
  const out = new Uint8Array(Math.max(0, x1 - x0));
  if (by1 <= by0) return out;
  const cx0 = Math.max(0, x0);
  const cx1 = Math.min(width, x1);
  // Deviation from each row's background: the edge of a highlighted row inside the band is no ink.
  const rowBg = rowBackgrounds(raster, cx0, cx1, by0, by1);
  let sum = 0;
  for (const v of rowBg) sum += v;
  const background = sum / Math.max(1, rowBg.length);
  for (let x = cx0; x < cx1; x++) {
    let lo = Infinity;
    let hi = -Infinity;
    let mean = 0;
    for (let y = by0; y < by1; y++) {
      const v = luminanceAt(raster, x, y) - rowBg[y - by0];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      mean += v + rowBg[y - by0];
    }
    mean /= by1 - by0;
    out[x - x0] = hi - lo > INK_CONTRAST ? 2 : Math.abs(mean - background) > INK_CONTRAST ? 1 : 0;
  }
  return out;
}

/**
 * Separators at least `minWidth` pixels wide inside [x0,x1) where no band has text ink (blank or
 * rule in all of them), with text ink somewhere on both sides. Left to right.
 */
export function verticalSeparators(raster: RgbRaster, bands: readonly Band[], x0: number, x1: number, minWidth: number): Separator[] {
  const w = Math.max(0, Math.round(x1) - Math.round(x0));
  const left = Math.round(x0);
  if (w === 0 || bands.length === 0) return [];
  const text = new Uint16Array(w);
  const rule = new Uint16Array(w);
  for (const band of bands) {
    const states = columnStates(raster, band, left, left + w);
    for (let i = 0; i < w; i++) {
      if (states[i] === 2) text[i]++;
      else if (states[i] === 1) rule[i]++;
    }
  }
  const firstText = text.findIndex((n) => n > 0);
  let lastText = -1;
  for (let i = w - 1; i >= 0; i--) {
    if (text[i] > 0) {
      lastText = i;
      break;
    }
  }
  const out: Separator[] = [];
  let start = -1;
  for (let i = firstText; i >= 0 && i <= lastText; i++) {
    const free = text[i] === 0;
    if (free && start < 0) start = i;
    if (!free && start >= 0) {
      if (i - start >= minWidth) {
        let ruleX1: number | undefined;
        for (let k = start; k < i; k++) if (rule[k] * 2 > bands.length) ruleX1 = left + k + 1;
        out.push({ x0: left + start, x1: left + i, ...(ruleX1 !== undefined ? { ruleX1 } : {}) });
      }
      start = -1;
    }
  }
  return out;
}
