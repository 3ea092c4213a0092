/**
 * Ink runs of a text line: the x ranges where the line's pixel band differs from its background.
 * The recogniser often drops spaces ("seq =[0,1]") and a character's CTC position is only good to
 * about ±0.4 of a character, but blank pixels are exact: on a monospace screenshot a blank stretch
 * at least one character wide between two glyphs is a space. Pure functions.
 */
import type { RgbRaster } from './raster';
import { luminanceAt, rowBackgrounds } from './row-background';

export interface InkRun {
  x0: number;
  /** Exclusive. */
  x1: number;
}

/** Minimum luminance distance from the background for a pixel to count as ink. */
const INK_CONTRAST = 56;

/**
 * Ink runs inside the band [x0,x1)×[y0,y1) of the raster. The background is each row's most common
 * luminance, so selection highlights and coloured editor themes work the same as plain white.
 */
export function inkRuns(raster: RgbRaster, band: { x0: number; y0: number; x1: number; y1: number }): InkRun[] {
  const { width, height } = raster;
  const bx0 = Math.max(0, Math.floor(band.x0));
  const bx1 = Math.min(width, Math.ceil(band.x1));
  const by0 = Math.max(0, Math.floor(band.y0));
  const by1 = Math.min(height, Math.ceil(band.y1));
  if (bx1 <= bx0 || by1 <= by0) return [];
  // Each row's own background: a band that crosses the edge of a highlighted row keeps its spaces.
  const background = rowBackgrounds(raster, bx0, bx1, by0, by1);
  const runs: InkRun[] = [];
  let start = -1;
  for (let x = bx0; x < bx1; x++) {
    let ink = false;
    for (let y = by0; y < by1 && !ink; y++) ink = Math.abs(luminanceAt(raster, x, y) - background[y - by0]) > INK_CONTRAST;
    if (ink && start < 0) start = x;
    if (!ink && start >= 0) {
      runs.push({ x0: start, x1: x });
      start = -1;
    }
  }
  if (start >= 0) runs.push({ x0: start, x1: bx1 });
  return runs;
}

/**
 * Spaces implied by the blank stretches between ink runs, attached to the gap between glyph
 * `i-1` and `i` (index i of the returned array), given the glyphs' x centres and the pitch.
 * Returns undefined for a gap no blank stretch falls into (the caller keeps its own estimate).
 */
export function spacesFromInk(glyphX: readonly number[], runs: readonly InkRun[], pitch: number): (number | undefined)[] {
  const spaces: (number | undefined)[] = glyphX.map(() => undefined);
  for (let i = 1; i < glyphX.length; i++) spaces[i] = 0;
  for (let k = 1; k < runs.length; k++) {
    const gap = runs[k].x0 - runs[k - 1].x1;
    const centre = (runs[k].x0 + runs[k - 1].x1) / 2;
    // The glyph pair this blank stretch lies between.
    let i = 1;
    while (i < glyphX.length && glyphX[i] < centre) i++;
    if (i >= glyphX.length || glyphX[i - 1] > centre) continue;
    const n = Math.floor(gap / pitch + 0.15);
    spaces[i] = (spaces[i] ?? 0) + n;
  }
  return spaces;
}
