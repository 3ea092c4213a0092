/**
 * Detected boxes that span several text lines, split back into lines. With tight line spacing
 * (Pygments' images leave 2 px between lines) the detector can join two or three lines into one
 * box, which the recogniser then reads as noise. Such a box is much taller than the page's typical
 * box; the rows of its pixels that hold (almost) no ink are where its lines part. Pure functions.
 */
import type { MapBox } from './db-postprocess';
import type { RgbRaster } from './raster';

const INK_CONTRAST = 56;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[s.length >> 1] : 0;
}

/** Ink pixels per row of the region (background: the region's most common luminance). */
export function rowInk(raster: RgbRaster, x0: number, x1: number, y0: number, y1: number): Uint32Array {
  const { data, width, height } = raster;
  const ax0 = Math.max(0, Math.floor(x0));
  const ax1 = Math.min(width, Math.ceil(x1));
  const ay0 = Math.max(0, Math.floor(y0));
  const ay1 = Math.min(height, Math.ceil(y1));
  const out = new Uint32Array(Math.max(0, ay1 - ay0));
  if (ax1 <= ax0 || ay1 <= ay0) return out;
  const lum = (x: number, y: number) => {
    const i = (y * width + x) * 3;
    return 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
  };
  const hist = new Uint32Array(64);
  for (let y = ay0; y < ay1; y++) for (let x = ax0; x < ax1; x++) hist[Math.min(63, Math.floor(lum(x, y) / 4))]++;
  let mode = 0;
  for (let b = 1; b < 64; b++) if (hist[b] > hist[mode]) mode = b;
  const background = mode * 4 + 2;
  for (let y = ay0; y < ay1; y++) {
    let n = 0;
    for (let x = ax0; x < ax1; x++) if (Math.abs(lum(x, y) - background) > INK_CONTRAST) n++;
    out[y - ay0] = n;
  }
  return out;
}

/**
 * Line segments [start, end) of a row profile: runs of inked rows separated by rows with at most
 * `quiet` ink pixels; segments shorter than `minHeight` join their neighbour (or, at the ends, go).
 */
export function rowSegments(profile: ArrayLike<number>, quiet: number, minHeight: number): [number, number][] {
  const segments: [number, number][] = [];
  let start = -1;
  for (let y = 0; y <= profile.length; y++) {
    const inked = y < profile.length && profile[y] > quiet;
    if (inked && start < 0) start = y;
    if (!inked && start >= 0) {
      segments.push([start, y]);
      start = -1;
    }
  }
  // Short runs at either end are the neighbouring lines' descenders or ascenders, not a line.
  while (segments.length && segments[0][1] - segments[0][0] < minHeight) segments.shift();
  while (segments.length && segments[segments.length - 1][1] - segments[segments.length - 1][0] < minHeight) segments.pop();
  const out: [number, number][] = [];
  for (const s of segments) {
    const last = out[out.length - 1];
    if (last && (s[1] - s[0] < minHeight || last[1] - last[0] < minHeight)) last[1] = s[1];
    else out.push([s[0], s[1]]);
  }
  return out;
}

/** Boxes taller than 1.7 typical lines split at their blank rows; other boxes unchanged. */
export function splitTallBoxes(boxes: readonly MapBox[], raster: RgbRaster): MapBox[] {
  const cores = boxes.map((b) => b.core ?? b);
  const typical = median(cores.map((c) => c.y1 - c.y0));
  if (!(typical > 0)) return [...boxes];
  const out: MapBox[] = [];
  boxes.forEach((box, i) => {
    const core = cores[i];
    if (core.y1 - core.y0 < 1.7 * typical) {
      out.push(box);
      return;
    }
    // The core is the detector's shrunk kernel: look a little beyond it for the lines' full ink.
    const top = core.y0 - 0.15 * typical;
    const profile = rowInk(raster, core.x0, core.x1, top, core.y1 + 0.15 * typical);
    const quiet = Math.floor(0.004 * (core.x1 - core.x0));
    const segments = rowSegments(profile, quiet, 0.5 * typical);
    if (segments.length < 2) {
      out.push(box);
      return;
    }
    const grow = Math.max(0, (box.y1 - box.y0 - (core.y1 - core.y0)) / 2, 0.2 * typical);
    for (const [s, e] of segments) {
      const y0 = Math.max(0, Math.floor(top)) + s;
      const y1 = Math.max(0, Math.floor(top)) + e;
      out.push({ ...box, y0: Math.max(box.y0, y0 - grow), y1: Math.min(box.y1, y1 + grow), core: { x0: core.x0, x1: core.x1, y0, y1 } });
    }
  });
  return out;
}
