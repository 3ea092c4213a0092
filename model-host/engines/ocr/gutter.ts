/**
 * Line numbers in an editor's gutter: a column of increasing integers left of the code, read as
 * separate boxes because of the gutter's margin. They are removed so that the pasted code runs.
 * A line whose only box was its number is a blank line of the code and stays as an empty line.
 */
import type { RecognisedBox } from './recognise';

const NUMBER = /^\s*(\d{1,5})\s*$/;

/** Removes gutter numbers when most lines start with one and they increase; returns whether it did. */
export function removeGutterNumbers(lines: RecognisedBox[][]): { lines: RecognisedBox[][]; removed: boolean } {
  const numbered = lines.map((boxes) => {
    const m = boxes.length > 0 ? NUMBER.exec(boxes[0].text) : null;
    return m ? Number(m[1]) : undefined;
  });
  const values = numbered.filter((n): n is number => n !== undefined);
  if (values.length < 2 || values.length < lines.length * 0.6) return { lines, removed: false };
  let increasing = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[i - 1]) increasing++;
  if (increasing < (values.length - 1) * 0.8) return { lines, removed: false };
  // Gutter numbers sit left of the code: the box must end before the code's leftmost start.
  const codeStarts = lines.flatMap((boxes, i) => (numbered[i] !== undefined ? boxes.slice(1, 2) : boxes.slice(0, 1))).map((b) => b.box.x0);
  const codeLeft = codeStarts.length ? Math.min(...codeStarts) : Infinity;
  return {
    lines: lines.map((boxes, i) => (numbered[i] !== undefined && boxes[0].box.x1 <= codeLeft + 1 ? boxes.slice(1) : boxes)),
    removed: true,
  };
}
