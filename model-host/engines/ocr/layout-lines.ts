/**
 * Before recognition: detected boxes grouped into text lines by their vertical extent, and boxes
 * of one line that nearly touch merged into one crop. DB often splits a line at thin glyphs
 * (`__init__` → "init_" plus a dash-sized box), and the recogniser reads the whole token only when
 * it sees it in one piece. Wide gaps stay separate boxes: they carry alignment (trailing comments).
 * Pure functions.
 */
import type { MapBox } from './db-postprocess';

/** Vertical overlap of two boxes as a fraction of the shorter one's height. */
function verticalOverlap(a: MapBox, b: MapBox): number {
  const overlap = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
  return overlap / Math.max(1e-6, Math.min(a.y1 - a.y0, b.y1 - b.y0));
}

/** Boxes grouped into lines, top to bottom; each line's boxes sorted left to right. */
export function groupIntoLines(boxes: readonly MapBox[]): MapBox[][] {
  // Tall boxes first so that small fragments (underscores, dots) attach to a real line.
  const order = [...boxes].sort((a, b) => b.y1 - b.y0 - (a.y1 - a.y0));
  const lines: { boxes: MapBox[]; span: MapBox }[] = [];
  for (const box of order) {
    let best: (typeof lines)[number] | undefined;
    let bestOverlap = 0.5;
    for (const line of lines) {
      const o = verticalOverlap(line.span, box);
      if (o > bestOverlap) {
        best = line;
        bestOverlap = o;
      }
    }
    if (best) {
      best.boxes.push(box);
      const s = best.span;
      // The span keeps the line's core height: fragments must not stretch it into the next line.
      best.span = { x0: Math.min(s.x0, box.x0), x1: Math.max(s.x1, box.x1), y0: s.y0, y1: s.y1, score: s.score };
    } else {
      lines.push({ boxes: [box], span: { ...box } });
    }
  }
  return lines.map((l) => l.boxes.sort((a, b) => a.x0 - b.x0)).sort((a, b) => centreY(a) - centreY(b));
}

function centreY(line: MapBox[]): number {
  let sum = 0;
  for (const b of line) sum += (b.y0 + b.y1) / 2;
  return sum / line.length;
}

/**
 * Merges neighbours whose horizontal gap is below `maxGapFactor` × the line's height (roughly two
 * monospace characters). The merged box spans both vertically so descenders and underscores stay in.
 */
export function mergeCloseBoxes(line: readonly MapBox[], maxGapFactor = 1.2): MapBox[] {
  if (line.length === 0) return [];
  const heights = line.map((b) => b.y1 - b.y0).sort((a, b) => a - b);
  const lineHeight = heights[heights.length >> 1];
  const out: MapBox[] = [{ ...line[0] }];
  for (const box of line.slice(1)) {
    const last = out[out.length - 1];
    if (box.x0 - last.x1 <= maxGapFactor * lineHeight) {
      const core =
        last.core && box.core
          ? {
              x0: Math.min(last.core.x0, box.core.x0),
              y0: Math.min(last.core.y0, box.core.y0),
              x1: Math.max(last.core.x1, box.core.x1),
              y1: Math.max(last.core.y1, box.core.y1),
            }
          : (last.core ?? box.core);
      out[out.length - 1] = {
        x0: Math.min(last.x0, box.x0),
        y0: Math.min(last.y0, box.y0),
        x1: Math.max(last.x1, box.x1),
        y1: Math.max(last.y1, box.y1),
        score: Math.max(last.score, box.score),
        core,
      };
    } else {
      out.push({ ...box });
    }
  }
  return out;
}
