/**
 * Per-crop contrast before recognition. A highlighted row (a selection, a diff's added line, a
 * coverage miss) can carry light text on a mid-dark colour inside a light screenshot, or dark
 * text on a colour close to it; the page-wide theme check cannot see that, and the recogniser
 * (trained on dark text on light paper) then drops spaces and closers. Each crop's own background
 * (its most common luminance) is mapped to white and its ink to black. Crops that already have
 * dark, well-contrasted text are left as they are, so plain screenshots read exactly as before.
 * Pure functions.
 */
import type { RgbRaster } from './raster';

/** v' = a·v + b on every channel (then clamped to 0–255). */
export interface Tone {
  a: number;
  b: number;
}

/** Below this luminance distance between background and ink, a crop with dark text is stretched. */
const LOW_CONTRAST = 110;

export function cropTone(raster: RgbRaster, region: { x0: number; y0: number; x1: number; y1: number }): Tone | undefined {
  const { data, width, height } = raster;
  const x0 = Math.max(0, Math.floor(region.x0));
  const x1 = Math.min(width, Math.ceil(region.x1));
  const y0 = Math.max(0, Math.floor(region.y0));
  const y1 = Math.min(height, Math.ceil(region.y1));
  if (x1 - x0 < 2 || y1 - y0 < 2) return undefined;
  const hist = new Uint32Array(256);
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * width + x) * 3;
      hist[Math.round(0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2])]++;
      n++;
    }
  }
  let bg = 0;
  for (let v = 1; v < 256; v++) if (hist[v] > hist[bg]) bg = v;
  // Ink: the 3 % of pixels farthest from the background on the darker and on the lighter side.
  const tail = Math.max(1, Math.round(0.03 * n));
  let dark = 0;
  for (let v = 0, seen = 0; v < bg; v++) {
    seen += hist[v];
    if (seen >= tail) {
      dark = v;
      break;
    }
    dark = bg;
  }
  let light = 255;
  for (let v = 255, seen = 0; v > bg; v--) {
    seen += hist[v];
    if (seen >= tail) {
      light = v;
      break;
    }
    light = bg;
  }
  const darkInk = bg - dark;
  const lightInk = light - bg;
  const ink = lightInk > darkInk ? light : dark;
  if (Math.abs(bg - ink) < 24) return undefined; // no text to speak of
  if (ink < bg && bg - ink >= LOW_CONTRAST) return undefined; // dark text on light: as trained
  const a = 255 / (bg - ink);
  return { a, b: -a * ink };
}
