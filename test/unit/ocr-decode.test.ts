// The pure pieces of the OCR pipeline: DB boxes from a probability map, CTC decoding, ink runs,
// the detector's input size and the theme check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dbBoxes, DEFAULT_DB_OPTIONS } from '../../model-host/engines/ocr/db-postprocess';
import { ctcGreedyDecode } from '../../model-host/engines/ocr/ctc';
import { inkRuns, spacesFromInk } from '../../model-host/engines/ocr/ink';
import { detectorSize } from '../../model-host/engines/ocr/detect';
import { hasDarkBackground, invertRaster, type RgbRaster } from '../../model-host/engines/ocr/raster';
import { recognitionRegion } from '../../model-host/engines/ocr/recognise';

function probMap(width: number, height: number, rects: [number, number, number, number, number][]): Float32Array {
  const map = new Float32Array(width * height);
  for (const [x0, y0, x1, y1, p] of rects) for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) map[y * width + x] = p;
  return map;
}

test('DB post-processing finds one unclipped box per text kernel and drops weak ones', () => {
  const map = probMap(100, 40, [
    [10, 5, 60, 11, 0.9],
    [10, 20, 30, 26, 0.95],
    [70, 20, 90, 26, 0.4], // above the pixel threshold, below the box threshold
    [95, 30, 96, 31, 0.9], // a speck
  ]);
  const boxes = dbBoxes(map, 100, 40).sort((a, b) => a.y0 - b.y0);
  assert.equal(boxes.length, 2);
  const [first] = boxes;
  assert.ok(first.x0 < 10 && first.x1 > 60 && first.y0 < 5 && first.y1 > 11, 'grown by the unclip distance');
  assert.deepEqual(first.core, { x0: 10, y0: 5, x1: 60, y1: 11 });
  assert.ok(Math.abs(first.score - 0.9) < 1e-6);
});

test('DB post-processing refuses a map of the wrong size', () => {
  assert.throws(() => dbBoxes(new Float32Array(10), 4, 4, DEFAULT_DB_OPTIONS), /expected 4×4/);
});

test('greedy CTC collapses repeats, removes blanks and keeps positions and confidence', () => {
  const charset = ['', 'a', 'b', ' '];
  const steps = [1, 1, 0, 1, 2, 3, 2]; // a a _ a b ␠ b
  const probs = new Float32Array(steps.length * 4);
  steps.forEach((c, t) => {
    probs.fill(0.1 / 3, t * 4, t * 4 + 4);
    probs[t * 4 + c] = t === 4 ? 0.6 : 0.9;
  });
  const decoded = ctcGreedyDecode(probs, 0, steps.length, 4, charset);
  assert.equal(decoded.map((d) => d.char).join(''), 'aab b');
  assert.deepEqual([decoded[0].firstStep, decoded[0].lastStep], [0, 1]);
  assert.ok(Math.abs(decoded[2].confidence - 0.6) < 1e-6);
});

function raster(width: number, height: number, bg: number, marks: [number, number, number][] = []): RgbRaster {
  const data = Buffer.alloc(width * height * 3, bg);
  for (const [x0, x1, v] of marks) {
    for (let y = 2; y < height - 2; y++) for (let x = x0; x < x1; x++) data.fill(v, (y * width + x) * 3, (y * width + x) * 3 + 3);
  }
  return { data, width, height };
}

test('ink runs follow glyphs on light, dark and highlighted backgrounds', () => {
  const marks: [number, number, number][] = [
    [5, 10, 0],
    [12, 16, 0],
    [30, 34, 0],
  ];
  assert.deepEqual(inkRuns(raster(40, 12, 255, marks), { x0: 0, y0: 0, x1: 40, y1: 12 }), [
    { x0: 5, x1: 10 },
    { x0: 12, x1: 16 },
    { x0: 30, x1: 34 },
  ]);
  const dark = raster(
    40,
    12,
    30,
    marks.map(([a, b]) => [a, b, 220]),
  );
  assert.equal(inkRuns(dark, { x0: 0, y0: 0, x1: 40, y1: 12 }).length, 3);
  const selection = raster(40, 12, 180, marks);
  assert.equal(inkRuns(selection, { x0: 0, y0: 0, x1: 40, y1: 12 }).length, 3);
});

test('blank stretches between ink become spaces between the glyphs around them', () => {
  // glyph centres at 10, 20 (adjacent), then 50 after a 2-character blank, pitch 10
  const spaces = spacesFromInk(
    [10, 20, 50],
    [
      { x0: 6, x1: 24 },
      { x0: 46, x1: 54 },
    ],
    10,
  );
  assert.deepEqual(spaces, [undefined, 0, 2]);
});

test('the detector input is a multiple of 32 under the cap and never upscaled', () => {
  assert.deepEqual(detectorSize(640, 260), { width: 640, height: 256 });
  assert.deepEqual(detectorSize(20000, 200), { width: 1280, height: 32 });
  assert.deepEqual(detectorSize(10, 10), { width: 32, height: 32 });
});

test('dark themes are detected and inverted', () => {
  const dark = raster(50, 20, 30, [[5, 10, 220]]);
  assert.equal(hasDarkBackground(dark), true);
  assert.equal(hasDarkBackground(invertRaster(dark)), false);
  assert.equal(hasDarkBackground(raster(50, 20, 250)), false);
});

test('narrow boxes are widened for recognition, wide ones are not', () => {
  const narrow = recognitionRegion({ x0: 50, y0: 0, x1: 58, y1: 20, score: 1 }, 200);
  assert.deepEqual([narrow.x0, narrow.x1], [34, 74]);
  const wide = { x0: 0, y0: 0, x1: 100, y1: 20, score: 1 };
  assert.equal(recognitionRegion(wide, 200), wide);
});
