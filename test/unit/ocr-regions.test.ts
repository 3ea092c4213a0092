// Finding the code block in a page screenshot: text classes, blocks by position and background.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyText, restrictLines, selectCodeRegion } from '../../model-host/engines/ocr/regions';
import type { RgbRaster } from '../../model-host/engines/ocr/raster';
import type { RecognisedBox } from '../../model-host/engines/ocr/recognise';
import type { Band } from '../../model-host/engines/ocr/separators';

test('prose, code and chrome are told apart by what the text says', () => {
  assert.equal(classifyText('The function returns early when its input is empty, so callers need not check.'), 'prose');
  assert.equal(classifyText('Thefunctionreturnsearlywhenitsinputisempty.'), 'prose'); // word spaces lost
  assert.equal(classifyText('Getting started'), 'chrome');
  assert.equal(classifyText('Search docs…'), 'chrome');
  assert.equal(classifyText('def fib_numbers(n_max: int) -> list[int]:'), 'code');
  assert.equal(classifyText('}'), 'code');
  assert.equal(classifyText('SELECT name, total FROM orders WHERE total > 100'), 'code');
});

const LINE = 22;
/** A page: white, with flat grey rectangles as code-block backgrounds. */
function page(width: number, height: number, fills: [number, number, number, number, number?][]): RgbRaster {
  const data = Buffer.alloc(width * height * 3, 255);
  for (const [x0, y0, x1, y1, v] of fills) {
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) data.fill(v ?? 238, (y * width + x) * 3, (y * width + x) * 3 + 3);
  }
  return { data, width, height };
}
const box = (x0: number, row: number, text: string): RecognisedBox => ({
  box: {
    x0,
    x1: x0 + text.length * 8,
    y0: row * LINE + 3,
    y1: row * LINE + 19,
    score: 0.9,
    core: { x0, x1: x0 + text.length * 8, y0: row * LINE + 5, y1: row * LINE + 17 },
  },
  text,
  chars: [],
  confidence: 0.9,
});
const bandsOf = (lines: RecognisedBox[][]): Band[] => lines.map((l) => ({ x0: 0, x1: 900, y0: l[0].box.y0 - 3, y1: l[0].box.y1 + 3 }));

test('a documentation page yields its largest code block: not the sidebar, the prose or a one-line command', () => {
  const prose = 'This section shows the smallest complete example and what it returns.';
  const rows: [number, number, string][] = [
    [0, 300, 'Example 1'],
    [2, 300, prose],
    [3, 300, prose],
    [5, 316, 'pip install example-lib'],
    [7, 316, 'def area(w, h):'],
    [8, 316, '    if w <= 0:'],
    [9, 316, '        return 0'],
    [11, 316, '    return w * h'],
    [13, 300, prose],
  ];
  const lines: RecognisedBox[][] = [];
  for (const [row, x, text] of rows) lines.push([box(x, row, text)]);
  // The sidebar shares rows with the main column.
  lines[0].unshift(box(10, 0, 'Getting started'));
  lines[1].unshift(box(10, 2, 'Installation'));
  const raster = page(900, 15 * LINE, [
    [308, 5 * LINE, 700, 6 * LINE, 228],
    [308, 7 * LINE - 4, 700, 12 * LINE],
  ]);
  const keep = selectCodeRegion(lines, bandsOf(lines), raster);
  assert.ok(keep);
  const kept = lines.flat().filter((b) => keep.has(b));
  assert.deepEqual(
    kept.map((b) => b.text),
    ['def area(w, h):', '    if w <= 0:', '        return 0', '    return w * h'],
  );
  const page2 = restrictLines(
    {
      lines,
      ink: lines.map(() => [
        { x0: 10, x1: 100 },
        { x0: 320, x1: 400 },
      ]),
      bands: bandsOf(lines),
    },
    keep,
  );
  assert.equal(page2.lines.length, 4);
  assert.deepEqual(page2.ink[0], [{ x0: 320, x1: 400 }]);
});

test('a plain code screenshot is kept whole, highlighted rows and a highlighted comment included', () => {
  const code = ['def f(x):', '    # the answer, doubled for the demo output', '    y = x * 2', '', '', '    return y'];
  const lines = code.flatMap((t, row) => (t ? [[box(20, row, t)]] : []));
  // Row 1 (a comment, prose-like) and row 2 are highlighted.
  const raster = page(600, 7 * LINE, [[0, 1 * LINE, 600, 3 * LINE]]);
  assert.equal(selectCodeRegion(lines, bandsOf(lines), raster), undefined);
});

test('a highlighted row that the code around it skips over stays in the block', () => {
  const code = ['class A {', '  f() {', '    return 1;', '  }', '}'];
  const lines = code.map((t, row) => [box(20, row, t)]);
  // Only row 2 is highlighted: rows 1 and 3 join over it.
  const raster = page(600, 6 * LINE, [[0, 2 * LINE, 600, 3 * LINE, 200]]);
  assert.equal(selectCodeRegion(lines, bandsOf(lines), raster), undefined);
});
