/**
 * DB (differentiable binarisation) post-processing of the detector's probability map: threshold,
 * connected components, one box per component scored by its mean probability, then "unclip"
 * (DB's text kernels are shrunk during training, so each box is grown by area·ratio/perimeter).
 *
 * Boxes are axis-aligned: screenshots of code are never rotated, and an axis-aligned box is what the
 * line/column layout needs. Pure functions, no I/O.
 */

export interface DbOptions {
  /** Pixels above this probability are text. */
  threshold: number;
  /** Components whose mean probability is below this are dropped (noise, icons). */
  boxThreshold: number;
  /** DB's unclip ratio (PaddleOCR's default 1.5). */
  unclipRatio: number;
  /** Components smaller than this many pixels on their short side are dropped. */
  minSide: number;
}

export const DEFAULT_DB_OPTIONS: DbOptions = { threshold: 0.3, boxThreshold: 0.6, unclipRatio: 1.5, minSide: 2 };

/** A text box in map pixels: [x0, x1) × [y0, y1), with the component's mean probability. */
export interface MapBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  score: number;
  /** The component's own extent before unclip: a steadier left edge for column estimates. */
  core?: { x0: number; y0: number; x1: number; y1: number };
}

export function dbBoxes(prob: Float32Array, width: number, height: number, options: DbOptions = DEFAULT_DB_OPTIONS): MapBox[] {
  if (prob.length !== width * height) throw new Error(`probability map has ${prob.length} values, expected ${width}×${height}`);
  const labels = new Int32Array(width * height);
  const stack = new Int32Array(width * height);
  const boxes: MapBox[] = [];
  let next = 0;
  for (let start = 0; start < prob.length; start++) {
    if (labels[start] !== 0 || prob[start] <= options.threshold) continue;
    next++;
    // Flood fill (8-connected) with an explicit stack: components can hold 10⁵ pixels.
    let top = 0;
    stack[top++] = start;
    labels[start] = next;
    let x0 = width,
      y0 = height,
      x1 = -1,
      y1 = -1,
      sum = 0,
      count = 0;
    while (top > 0) {
      const p = stack[--top];
      const x = p % width;
      const y = (p - x) / width;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      sum += prob[p];
      count++;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width || (dx === 0 && dy === 0)) continue;
          const q = ny * width + nx;
          if (labels[q] === 0 && prob[q] > options.threshold) {
            labels[q] = next;
            stack[top++] = q;
          }
        }
      }
    }
    const w = x1 - x0 + 1;
    const h = y1 - y0 + 1;
    if (Math.min(w, h) < options.minSide) continue;
    const score = sum / count;
    if (score < options.boxThreshold) continue;
    const grow = (w * h * options.unclipRatio) / (2 * (w + h));
    boxes.push({
      x0: Math.max(0, x0 - grow),
      y0: Math.max(0, y0 - grow),
      x1: Math.min(width, x1 + 1 + grow),
      y1: Math.min(height, y1 + 1 + grow),
      score,
      core: { x0, y0, x1: x1 + 1, y1: y1 + 1 },
    });
  }
  return boxes;
}
