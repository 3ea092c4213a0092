/**
 * A diff's marker column drawn right against the code (`git diff` in a terminal: `+def f():`,
 * `-    x = 1`, context lines starting with a space). No separator parts it from the code, so the
 * column geometry of gutter-geometry.ts cannot see it; the characters can: every line that
 * reaches the leftmost column holds `+` or `-` there, a `+` among them (a column of `-` alone is
 * a Markdown or YAML list), and other lines (context) start at least one column further right. The markers go and the code's first column is the one
 * after them. Pure function.
 */
import type { InkRun } from './ink';
import type { RecognisedChar } from './recognise';

export interface MarkerColumn {
  lines: RecognisedChar[][];
  ink: InkRun[][];
  /** x where the code's first column starts (one column right of the markers). */
  origin: number;
}

export function removeDiffMarkers(lines: readonly RecognisedChar[][], ink: readonly InkRun[][], pitch: number): MarkerColumn | undefined {
  const firsts = lines.map((chars) => chars.find((c) => c.char.trim() !== ''));
  const xs = firsts.filter((c): c is RecognisedChar => c !== undefined).map((c) => c.x);
  if (xs.length < 3 || !(pitch > 0)) return undefined;
  const left = Math.min(...xs);
  const atLeft = firsts.map((c) => c !== undefined && c.x < left + 0.5 * pitch);
  const kinds = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    if (!atLeft[i]) continue;
    const ch = firsts[i]!.char;
    if (ch !== '+' && ch !== '-') return undefined;
    kinds.add(ch);
  }
  if (!kinds.has('+') || atLeft.every(Boolean)) return undefined;
  const cut = left + 0.5 * pitch;
  return {
    lines: lines.map((chars, i) => (atLeft[i] ? chars.filter((c) => c !== firsts[i]) : [...chars])),
    ink: ink.map((runs, i) => (atLeft[i] ? runs.filter((r) => r.x0 >= cut) : [...runs])),
    origin: left + 0.5 * pitch,
  };
}
