// Gutters by column geometry: separators on pixels, what is left of them, diff markers, tall boxes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rowSegments, splitTallBoxes } from '../../model-host/engines/ocr/box-split';
import { removeDiffMarkers } from '../../model-host/engines/ocr/diff-markers';
import { chooseGutter, gutterEvidence, isGutter } from '../../model-host/engines/ocr/gutter-geometry';
import type { RgbRaster } from '../../model-host/engines/ocr/raster';
import type { RecognisedChar } from '../../model-host/engines/ocr/recognise';
import { verticalSeparators, type Band } from '../../model-host/engines/ocr/separators';

const LINE = 20;

/** A white raster with dark rectangles ("glyphs") and optional flat fills (a gutter background, a rule). */
function raster(width: number, height: number, ink: [number, number, number, number][], fills: [number, number, number, number, number][] = []): RgbRaster {
  const data = Buffer.alloc(width * height * 3, 255);
  const paint = (x0: number, y0: number, x1: number, y1: number, v: number) => {
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) data.fill(v, (y * width + x) * 3, (y * width + x) * 3 + 3);
  };
  for (const [x0, y0, x1, y1, v] of fills) paint(x0, y0, x1, y1, v);
  for (const [x0, y0, x1, y1] of ink) paint(x0, y0, x1, y1, 20);
  return { data, width, height };
}

const bands = (n: number): Band[] => Array.from({ length: n }, (_, i) => ({ x0: 0, x1: 300, y0: i * LINE, y1: (i + 1) * LINE }));
/** Glyph rectangles of a line: 6 px wide, 12 px tall, one per column of `text` from x0 (8 px a column). */
function glyphs(text: string, row: number, x0: number): [number, number, number, number][] {
  return [...text].flatMap((c, k) => (c === ' ' ? [] : [[x0 + 8 * k, row * LINE + 4, x0 + 8 * k + 6, row * LINE + 16] as [number, number, number, number]]));
}
const chars = (text: string, x0: number): RecognisedChar[] => [...text].map((c, k) => ({ char: c, confidence: 0.9, x: x0 + 8 * k + 3 }));

test('a gutter on its own background with a rule is one separator, whatever the numbers', () => {
  const rows = ['def f(x):', '    y = x', '    return y'];
  const ink = rows.flatMap((r, i) => [...glyphs(String(i + 8), i, 4), ...glyphs(r, i, 40)]);
  // Gutter background 0–30 (flat grey), a 1 px rule at 31, code from 40.
  const r = raster(300, 3 * LINE, ink, [
    [0, 0, 30, 3 * LINE, 225],
    [31, 0, 32, 3 * LINE, 120],
  ]);
  const seps = verticalSeparators(r, bands(3), 0, 300, 4);
  const first = seps[0];
  assert.ok(first && first.x0 <= 22 && first.x1 === 40, JSON.stringify(seps));
  assert.equal(first.ruleX1, 32);
  const lines = rows.map((row, i) => [...chars(String(i + 8), 4), ...chars(row, 40)]);
  assert.deepEqual(chooseGutter(lines, seps), first);
});

test('aligned code is no gutter: what is left of the separator must be numbers or diff markers', () => {
  const lines = [chars('x    = 1', 40), chars('foo  = 2', 40), chars('ab   = 3', 40)];
  const sep = { x0: 40 + 8 * 3 + 6, x1: 40 + 8 * 5 };
  assert.equal(isGutter(gutterEvidence(lines, sep), 3), false);
  // Numbers that do not go up (a data column) are no line numbers either.
  const data = [chars('7    = 1', 40), chars('3    = 2', 40), chars('5    = 3', 40)];
  assert.equal(isGutter(gutterEvidence(data, { x0: 40 + 14, x1: 40 + 40 }), 3), false);
});

test('coverage and review-diff gutters: several columns, pipes, markers, misread digits', () => {
  const coverage = [chars('77|   12|  class A:', 0), chars('78|    0|      x = 1', 0), chars('7g|  131|      y = 2', 0)];
  assert.ok(isGutter(gutterEvidence(coverage, { x0: 8 * 9, x1: 8 * 11 }), 3));
  const diff = [chars(' 1  1    a = 1', 0), chars('    2 +  b = 2', 0), chars(' 2    -  c = 3', 0), chars(' 3  3    d = 4', 0)];
  assert.ok(isGutter(gutterEvidence(diff, { x0: 8 * 7 + 6, x1: 8 * 9 }), 4));
  // A column of `-` alone is a Markdown list, not a diff.
  const list = [chars('-  one', 0), chars('-  two', 0), chars('-  three', 0)];
  assert.equal(isGutter(gutterEvidence(list, { x0: 7, x1: 24 }), 3), false);
});

test('diff markers right against the code go, context lines keep their indentation origin', () => {
  const lines = [chars(' def f():', 0), chars('-    x = 1', 0), chars('+    x = 2', 0), chars('     return x', 0)];
  const out = removeDiffMarkers(lines, [[], [], [], []], 8);
  assert.ok(out);
  assert.equal(out.lines[1][0].char, ' ');
  assert.equal(out.origin, 3 + 4);
  assert.equal(removeDiffMarkers([chars('- a', 0), chars('- b', 0), chars('  c', 0)], [[], [], []], 8), undefined);
});

test('a box spanning three tight lines is split at its blank rows; ascenders of neighbours are not lines', () => {
  assert.deepEqual(rowSegments([0, 3, 3, 0, 0, 5, 5, 5, 5, 5, 0, 4, 4, 4, 4, 4, 0, 6, 6, 6, 6, 6, 0], 0, 4), [
    [5, 10],
    [11, 16],
    [17, 22],
  ]);
  const ink = [0, 1, 2].flatMap((i) => glyphs('a b c', i, 10)); // sparse, as text is: the background stays the most common colour
  const r = raster(100, 3 * LINE, ink);
  const one = { x0: 8, y0: 4, x1: 60, y1: 14, score: 0.9, core: { x0: 10, y0: 5, x1: 56, y1: 15 } };
  const tall = { x0: 8, y0: 0, x1: 60, y1: 60, score: 0.9, core: { x0: 10, y0: 4, x1: 56, y1: 56 } };
  const split = splitTallBoxes([one, one, tall], r);
  assert.equal(split.length, 5);
  assert.deepEqual(
    split.slice(2).map((b) => [b.core!.y0, b.core!.y1]),
    [
      [4, 16],
      [24, 36],
      [44, 56],
    ],
  );
});
