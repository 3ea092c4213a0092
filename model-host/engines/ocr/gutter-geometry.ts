/**
 * Gutters found by column geometry: a vertical separator (separators.ts) with ink left of it in
 * many lines and the code right of it. What is left of the separator must read as gutter material
 * (numbers, diff markers, pipes and colons) and hold a column of line numbers that go up, or diff
 * markers; that tells a gutter from aligned code (`x    = 1`). Any number of columns (line
 * number, hit count, old and new numbers, marker) is one gutter: the rightmost separator that
 * passes decides. Pure functions.
 */
import type { RecognisedChar } from './recognise';
import type { Separator } from './separators';

/** Recognised look-alikes of digits in a gutter (`l2` for `12`, `O` for `0`). */
const DIGITISH: Record<string, string> = { o: '0', O: '0', l: '1', I: '1', i: '1', '|': '1', S: '5', s: '5', B: '8', Z: '2', z: '2', g: '9', q: '9' };
const MARKER = /^[+\-~!<>*]$/;

export interface GutterEvidence {
  /** Lines with gutter ink (left of the separator). */
  withGutter: number;
  /** Lines with code (right of the separator). */
  withCode: number;
  /** Tokens that are neither numbers nor markers. */
  junk: number;
  tokens: number;
  /** First number of each line (undefined where none). */
  numbers: (number | undefined)[];
  markers: number;
  /** Which markers were seen (`+`, `-`, ...). */
  markerKinds: Set<string>;
}

/** What the characters of each line say about the part left of `x` (`lines[i]`: the line's characters). */
export function gutterEvidence(lines: readonly RecognisedChar[][], sep: Separator): GutterEvidence {
  const ev: GutterEvidence = { withGutter: 0, withCode: 0, junk: 0, tokens: 0, numbers: [], markers: 0, markerKinds: new Set() };
  for (const chars of lines) {
    const left = chars
      .filter((c) => c.x < sep.x0)
      .map((c) => c.char)
      .join('');
    if (chars.some((c) => c.x >= sep.x1 && c.char.trim() !== '')) ev.withCode++;
    // A pipe right after a number (`40|`) is a column rule the recogniser may read as `l`, `I` or `!`.
    // A number and a marker read as one word (`5+`) are two columns.
    const tokens = left
      .replace(/(?<=\d)[|lI!](?=\s|$)/g, ' ')
      .replace(/(?<=\d)(?=[+\-~!<>*])|(?<=[+\-~!<>*])(?=\d)/g, ' ')
      .split(/[\s|:│]+/)
      .filter((t) => t !== '');
    if (tokens.length) ev.withGutter++;
    let first: number | undefined;
    for (const t of tokens) {
      ev.tokens++;
      const digits = [...t].map((c) => DIGITISH[c] ?? c).join('');
      if (/^\d{1,6}$/.test(digits)) {
        first ??= Number(digits);
      } else if (MARKER.test(t)) {
        ev.markers++;
        ev.markerKinds.add(t);
      } else if (/^[.,'`·°]$/.test(t)) {
        // A lone speck of punctuation in a gutter is a marker the recogniser misread (`-` as `.`), not code.
      } else {
        ev.junk++;
      }
    }
    ev.numbers.push(first);
  }
  return ev;
}

/** True when the evidence is that of a gutter: mostly numbers and markers, with line numbers that go up or diff markers. */
export function isGutter(ev: GutterEvidence, lineCount: number): boolean {
  if (ev.withGutter < Math.max(2, 0.4 * lineCount) || ev.withCode < Math.max(1, 0.4 * lineCount)) return false;
  if (ev.junk > Math.floor(0.1 * ev.tokens)) return false;
  const values = ev.numbers.filter((n): n is number => n !== undefined);
  let up = 0;
  for (let i = 1; i < values.length; i++) if (values[i] >= values[i - 1]) up++;
  const counting = values.length >= 2 && up >= 0.8 * (values.length - 1) && values[values.length - 1] > values[0];
  // Markers alone must be those of a diff (both kinds): a column of `-` alone is a Markdown or YAML list.
  return counting || (ev.markerKinds.has('+') && ev.markerKinds.has('-'));
}

/** The rightmost separator whose left side is a gutter, or undefined. */
export function chooseGutter(lines: readonly RecognisedChar[][], separators: readonly Separator[]): Separator | undefined {
  for (let k = separators.length - 1; k >= 0; k--) {
    if (isGutter(gutterEvidence(lines, separators[k]), lines.length)) return separators[k];
  }
  return undefined;
}

/** A line's characters for the evidence, with a space between boxes so that two columns never read as one number. */
export function charsWithBoxGaps(line: readonly { chars: RecognisedChar[] }[]): RecognisedChar[] {
  const out: RecognisedChar[] = [];
  for (const b of line) {
    if (out.length && b.chars.length) out.push({ char: ' ', confidence: 1, x: (out[out.length - 1].x + b.chars[0].x) / 2 });
    out.push(...b.chars);
  }
  return out;
}
