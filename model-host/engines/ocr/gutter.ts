/**
 * Line numbers in an editor's gutter: a column of increasing integers left of the code. They are
 * removed so that the pasted code runs. The recogniser either reads them as their own box or as the
 * start of the line's box ("12    return x"), so they are found on the characters of each line.
 * A line whose only text was its number is a blank line of the code and stays as an empty line.
 * Pure functions.
 */
import type { RecognisedChar } from './recognise';

/** Leading digits of a line and how many characters they (and the spaces after them) take. */
function leadingNumber(chars: readonly RecognisedChar[], pitchGuess: number): { value: number; length: number } | undefined {
  let i = 0;
  while (i < chars.length && chars[i].char === ' ') i++;
  const start = i;
  let digits = '';
  while (i < chars.length && /^\d$/.test(chars[i].char)) digits += chars[i++].char;
  if (digits.length === 0 || digits.length > 5) return undefined;
  if (i === chars.length) return { value: Number(digits), length: i };
  // The code must start after a real gap: a space read by the recogniser or a wide jump.
  let j = i;
  while (j < chars.length && chars[j].char === ' ') j++;
  if (j === chars.length) return { value: Number(digits), length: j };
  const gap = chars[j].x - chars[i - 1].x;
  if (j === i && gap < 2.5 * pitchGuess) return undefined;
  if (start > 0 && gap < 1.5 * pitchGuess) return undefined;
  return { value: Number(digits), length: j };
}

/**
 * Removes gutter numbers when most lines start with one and they increase. `pitchGuess` is a rough
 * character width (the spacing of adjacent glyphs), used to tell a gutter gap from a space.
 */
export function removeGutterNumbers(lines: RecognisedChar[][], pitchGuess: number): { lines: RecognisedChar[][]; removed: boolean } {
  const found = lines.map((chars) => leadingNumber(chars, pitchGuess));
  const values = found.filter((f) => f !== undefined).map((f) => f.value);
  if (values.length < 2 || values.length < lines.length * 0.6) return { lines, removed: false };
  let increasing = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[i - 1]) increasing++;
  if (increasing < (values.length - 1) * 0.8) return { lines, removed: false };
  // Lines whose number was misread still have glyphs in the gutter column: drop those too.
  let gutterRight = -Infinity;
  lines.forEach((chars, i) => {
    const f = found[i];
    if (!f) return;
    for (const c of chars.slice(0, f.length)) if (c.char !== ' ') gutterRight = Math.max(gutterRight, c.x);
  });
  const limit = gutterRight + 0.6 * pitchGuess;
  return {
    lines: lines.map((chars, i) => {
      const rest = found[i] ? chars.slice(found[i].length) : chars;
      let k = 0;
      while (k < rest.length && rest[k].x <= limit) k++;
      return rest.slice(k);
    }),
    removed: true,
  };
}

/** Median distance between adjacent non-space characters: a first guess of the character width. */
export function adjacentPitch(lines: readonly RecognisedChar[][]): number {
  const gaps: number[] = [];
  for (const chars of lines) {
    for (let i = 1; i < chars.length; i++) if (chars[i].char !== ' ' && chars[i - 1].char !== ' ') gaps.push(chars[i].x - chars[i - 1].x);
  }
  gaps.sort((a, b) => a - b);
  return gaps.length ? gaps[gaps.length >> 1] : 8;
}
