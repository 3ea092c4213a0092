/**
 * Ink the detector missed on a line it did find. DB often drops a lone narrow glyph (`}`, `)`,
 * `]`) standing apart from the rest of its line, and a line whose only code is `}` then keeps
 * just its gutter number. The line's pixel band is already known, so glyph-sized clusters of ink
 * in it that no box covers become boxes of their own and go to the recogniser like any other.
 * Pure functions.
 */
import type { MapBox } from './db-postprocess';
import type { RgbRaster } from './raster';
import { columnStates } from './separators';

/**
 * New boxes for ink clusters in the line's band (between `x0` and `x1`) outside its boxes: at least
 * `minWidth` wide, split where a blank stretch of `joinGap` pixels or more parts them.
 */
export function orphanInkBoxes(raster: RgbRaster, line: readonly MapBox[], x0: number, x1: number): MapBox[] {
  if (line.length === 0) return [];
  const cores = line.map((b) => b.core ?? b);
  const y0 = Math.min(...cores.map((c) => c.y0));
  const y1 = Math.max(...cores.map((c) => c.y1));
  const h = y1 - y0;
  if (h < 4) return [];
  const left = Math.max(0, Math.floor(x0));
  const states = columnStates(raster, { x0, x1, y0, y1 }, left, Math.min(raster.width, Math.ceil(x1)));
  const covered = (x: number) => line.some((b) => x >= b.x0 - 1 && x < b.x1 + 1);
  const out: MapBox[] = [];
  const joinGap = Math.max(2, 0.35 * h);
  let start = -1;
  let lastInk = -1;
  const flush = () => {
    if (start < 0) return;
    const w = lastInk + 1 - start;
    if (w >= 2 && w <= 6 * h) {
      const grow = 0.3 * h;
      const ax0 = left + start;
      const ax1 = left + lastInk + 1;
      out.push({ x0: ax0 - grow, x1: ax1 + grow, y0: y0 - grow, y1: y1 + grow, score: 0.5, core: { x0: ax0, x1: ax1, y0, y1 } });
    }
    start = -1;
  };
  for (let i = 0; i < states.length; i++) {
    const x = left + i;
    const ink = states[i] === 2 && !covered(x);
    if (covered(x)) {
      flush();
      continue;
    }
    if (ink) {
      if (start >= 0 && i - lastInk > joinGap) flush();
      if (start < 0) start = i;
      lastInk = i;
    }
  }
  flush();
  return out;
}
