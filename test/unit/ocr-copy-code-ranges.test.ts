// Where low-confidence characters land after "Copy Code from Image" inserts the code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layoutDoubtLines, lowConfidenceRanges } from '../../src/features/copy-code-ranges';

test('offsets on the first line shift by the cursor column, later lines start at column 0', () => {
  const code = 'x = l0\nif x:\n    y = O\n';
  const lines = [
    { text: 'x = l0', confidence: 0.5, box: [0, 0, 1, 1] as [number, number, number, number], lowConfidence: [4] },
    { text: 'if x:', confidence: 0.99, box: [0, 0, 1, 1] as [number, number, number, number] },
    { text: '    y = O', confidence: 0.4, box: [0, 0, 1, 1] as [number, number, number, number], lowConfidence: [3, 8, 40] },
  ];
  assert.deepEqual(lowConfidenceRanges(code, lines, { line: 10, character: 2 }), [
    { line: 10, character: 6, text: 'l' },
    { line: 12, character: 8, text: 'O' },
  ]);
});

test('no line information, no marks', () => {
  assert.deepEqual(lowConfidenceRanges('a', undefined, { line: 0, character: 0 }), []);
});

test('lines with a doubtful indentation or gutter are marked whole, blank ones are not', () => {
  const box = [0, 0, 1, 1] as [number, number, number, number];
  const code = 'def f():\n      return 1\n\nx = 2\n';
  const lines = [
    { text: 'def f():', confidence: 0.9, box },
    { text: '      return 1', confidence: 0.9, box, layoutDoubt: 'indentation' as const },
    { text: '', confidence: 1, box, layoutDoubt: 'gutter' as const },
    { text: 'x = 2', confidence: 0.9, box, layoutDoubt: 'gutter' as const },
  ];
  assert.deepEqual(layoutDoubtLines(code, lines, { line: 4, character: 3 }), [
    { line: 5, length: 14, reason: 'indentation' },
    { line: 7, length: 5, reason: 'gutter' },
  ]);
});
