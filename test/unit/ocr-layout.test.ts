// Layout of recognised characters into code lines: columns, indentation, spaces, blank lines, gutters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layoutLines, type LayoutLineInput } from '../../model-host/engines/ocr/layout';
import { withBlankLines } from '../../model-host/engines/ocr/transcribe';
import { adjacentPitch, removeGutterNumbers } from '../../model-host/engines/ocr/gutter';
import { groupIntoLines, mergeCloseBoxes } from '../../model-host/engines/ocr/layout-lines';
import type { RecognisedChar } from '../../model-host/engines/ocr/recognise';

const PITCH = 9;
const LINE_HEIGHT = 20;

/**
 * What the recogniser and the ink scan would report for a line of monospace text: one char per
 * glyph with its centre (jittered by up to ±0.3 of a column), spaces dropped unless `keepSpaces`,
 * and ink runs covering each glyph's middle 70 %.
 */
function fakeLine(text: string, row: number, options: { keepSpaces?: boolean; jitter?: number; origin?: number } = {}): LayoutLineInput {
  const origin = options.origin ?? 30;
  const chars: RecognisedChar[] = [];
  const ink: { x0: number; x1: number }[] = [];
  [...text].forEach((ch, col) => {
    const left = origin + col * PITCH;
    if (ch === ' ') {
      if (options.keepSpaces) chars.push({ char: ' ', confidence: 0.9, x: left + PITCH / 2 });
      return;
    }
    const jitter = (options.jitter ?? 0) * Math.sin(col * 2.3 + row) * PITCH;
    chars.push({ char: ch, confidence: 0.99, x: left + PITCH / 2 + jitter });
    const run = { x0: left + 0.15 * PITCH, x1: left + 0.85 * PITCH };
    const last = ink[ink.length - 1];
    if (last && run.x0 - last.x1 < 1.5) last.x1 = run.x1;
    else ink.push(run);
  });
  const y = 10 + row * LINE_HEIGHT;
  return { chars, ink, box: [origin, y, origin + text.length * PITCH, y + LINE_HEIGHT - 4] };
}

const PYTHON = ['def area(w, h):', '    if w <= 0:', '        return 0', '    return w * h  # square units'];

test('indentation and inner spaces come back exactly from ink, even when the recogniser drops every space', () => {
  const { lines, pitch } = layoutLines(PYTHON.map((t, i) => fakeLine(t, i, { jitter: 0.3 })));
  assert.deepEqual(
    lines.map((l) => l.text),
    PYTHON,
  );
  assert.ok(Math.abs(pitch - PITCH) < 0.5, `pitch ${pitch}`);
});

test('without ink, positions and the recogniser spaces rebuild the line', () => {
  const input = PYTHON.map((t, i) => ({ ...fakeLine(t, i, { keepSpaces: true }), ink: undefined }));
  assert.deepEqual(
    layoutLines(input).lines.map((l) => l.text),
    PYTHON,
  );
});

test('indentation is relative to the least indented line, not to the image edge', () => {
  const shifted = PYTHON.map((t, i) => fakeLine(t, i, { origin: 200 }));
  assert.deepEqual(
    layoutLines(shifted).lines.map((l) => l.indent),
    [0, 4, 8, 4],
  );
});

test('tab indentation uses the given tab width', () => {
  const go = ['func main() {', '        x := 1', '    }'].map((t, i) => fakeLine(t, i));
  assert.deepEqual(
    layoutLines(go, { tabWidth: 4 }).lines.map((l) => l.text),
    ['func main() {', '\t\tx := 1', '\t}'],
  );
});

test('confidences stay aligned with the characters of the text', () => {
  const line = fakeLine('a = b', 0);
  line.chars[1] = { ...line.chars[1], confidence: 0.2 }; // the '='
  const [out] = layoutLines([line]).lines;
  assert.equal(out.text, 'a = b');
  assert.equal(out.confidences.length, out.text.length);
  assert.equal(out.confidences[2], 0.2);
});

test('blank lines are inserted where the vertical gap spans more than one line', () => {
  const rows = [0, 1, 3, 4, 7];
  const laid = layoutLines(rows.map((r) => fakeLine('x = 1', r))).lines;
  assert.deepEqual(
    withBlankLines(laid).map((l) => l.text),
    ['x = 1', 'x = 1', '', 'x = 1', 'x = 1', '', '', 'x = 1'],
  );
});

test('gutter line numbers are removed when they count up; a number alone marks a blank line', () => {
  const withNumbers = ['1   def f():', '2       return 1', '3', '4   print(f())'].map((t, i) => fakeLine(t, i, { keepSpaces: true }).chars);
  const { lines, removed } = removeGutterNumbers(withNumbers, adjacentPitch(withNumbers));
  assert.equal(removed, true);
  assert.deepEqual(
    lines.map((c) =>
      c
        .map((x) => x.char)
        .join('')
        .trim(),
    ),
    ['def f():', 'return 1', '', 'print(f())'],
  );
});

test('a column of numbers that is code (not increasing) is kept', () => {
  const values = ['3 + 4', '1 - 2', '0 * 5'].map((t, i) => fakeLine(t, i, { keepSpaces: true }).chars);
  assert.equal(removeGutterNumbers(values, adjacentPitch(values)).removed, false);
});

test('boxes are grouped into lines top to bottom, and fragments of a token are merged into one crop', () => {
  const box = (x0: number, y0: number, x1: number, y1: number) => ({ x0, y0, x1, y1, score: 0.9 });
  const lines = groupIntoLines([box(100, 40, 200, 60), box(10, 10, 80, 30), box(10, 40, 60, 60), box(62, 52, 70, 58)]);
  assert.equal(lines.length, 2);
  assert.equal(lines[0].length, 1);
  assert.deepEqual(
    lines[1].map((b) => b.x0),
    [10, 62, 100],
  );
  const merged = mergeCloseBoxes(lines[1]);
  assert.equal(merged.length, 2, 'the underscore fragment joins its token; the far box stays apart');
  assert.deepEqual([merged[0].x0, merged[0].x1], [10, 70]);
});
