// The OCR eval's scorer and language detection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alignLines, editDistance, scoreTranscription, totals } from '../../model-host/eval/score';
import { lineConfusions } from '../../model-host/eval/confusions';
import { detectLanguage, usesTabs } from '../../model-host/engines/ocr/language';
import { CORPUS } from '../../model-host/eval/corpus';
import { stylesFor } from '../../model-host/eval/styles';

test('edit distance', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('same', 'same'), 0);
});

test('a perfect transcription scores 0 errors and all lines; trailing whitespace is ignored', () => {
  const s = scoreTranscription('def f():\n    return 1\n', 'def f():   \n    return 1');
  assert.deepEqual(s, { refChars: 21, charErrors: 0, refLines: 2, exactLines: 2, indentLines: 2, rightIndent: 2 });
});

test('a missing line costs that line only; wrong indentation is counted separately', () => {
  const ref = 'a = 1\nb = 2\nif a:\n    c = 3\nd = 4\n';
  const hyp = 'a = 1\nif a:\n  c = 3\nd = 4\n';
  const s = scoreTranscription(ref, hyp);
  assert.equal(s.exactLines, 3);
  assert.equal(s.rightIndent, 3);
  assert.equal(s.indentLines, 5);
  assert.equal(s.charErrors, 8);
  assert.deepEqual(alignLines(ref.trim().split('\n'), hyp.trim().split('\n')), [
    [0, 0],
    [2, 1],
    [3, 2],
    [4, 3],
  ]);
  const t = totals([s]);
  assert.ok(Math.abs(t.exactLineRate - 0.6) < 1e-9);
});

test('confusions name what was expected and what came out', () => {
  assert.deepEqual(lineConfusions('x = 10', 'x =l0').sort(), ['1→l', '·→∅'].sort());
});

test('language detection on the corpus snippets', () => {
  let right = 0;
  for (const s of CORPUS) if (detectLanguage(s.code) === s.language) right++;
  assert.ok(right >= CORPUS.length - 3, `${right}/${CORPUS.length} detected`);
  assert.equal(detectLanguage('hello there'), 'plaintext');
  assert.equal(usesTabs('go'), true);
  assert.equal(usesTabs('python'), false);
});

test('the corpus has at least 30 snippets and the styles cover every dimension', () => {
  assert.ok(CORPUS.length >= 30);
  assert.ok(new Set(CORPUS.map((s) => s.language)).size >= 8);
  const styles = CORPUS.flatMap((_, i) => stylesFor(i));
  for (const [key, count] of [
    ['theme', 2],
    ['font', 3],
    ['fontSizePx', 5],
    ['lineNumbers', 2],
    ['deviceScaleFactor', 2],
  ] as const) {
    assert.equal(new Set(styles.map((s) => s[key])).size, count, key);
  }
});
