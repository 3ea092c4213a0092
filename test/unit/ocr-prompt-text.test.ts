// The OCR text handed to VLM prompts: one block per line with its box, ASCII, capped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPromptText } from '../../model-host/engines/ocr/prompt-text';
import type { OcrPage } from '../../model-host/engines/ocr/pipeline';
import type { RecognisedBox } from '../../model-host/engines/ocr/recognise';

const block = (x0: number, y0: number, x1: number, y1: number, text: string): RecognisedBox => ({
  box: { x0, y0, x1, y1, score: 0.9 },
  text,
  chars: [],
  confidence: 0.9,
});

function page(lines: RecognisedBox[][]): OcrPage {
  return {
    lines,
    ink: lines.map(() => []),
    bands: [],
    raster: { data: Buffer.alloc(0), width: 0, height: 0 },
    width: 800,
    height: 600,
    dark: false,
    timings: { decodeMs: 0, detectMs: 0, recogniseMs: 0 },
  };
}

test('each block is one line: [x,y,w,h] text, in reading order, full-width punctuation made ASCII', () => {
  const text = formatPromptText(page([[block(10.4, 20, 110, 40, 'Sign in（free）')], [block(10, 60, 60, 80, 'Email'), block(300, 60, 380, 80, 'Password')]]));
  assert.equal(text, '[10,20,100,20] Sign in(free)\n[10,60,50,20] Email\n[300,60,80,20] Password\n');
});

test('the text is capped and says so', () => {
  const many = Array.from({ length: 400 }, (_, i) => [block(0, i * 20, 200, i * 20 + 18, `line number ${i} with some words`)]);
  const text = formatPromptText(page(many), 500);
  assert.ok(text.length <= 520, `${text.length} chars`);
  assert.match(text, /more text cut/);
});

test('no text, empty string', () => {
  assert.equal(formatPromptText(page([])), '');
});
