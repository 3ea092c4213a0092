/**
 * "Copy Code from Image" end to end in a real VS Code (code-server): a screenshot of Python code,
 * rendered by Chromium at test time, opened in the image preview; the command reads it on the real
 * model host (PP-OCR) and opens the code in a new Python editor. The text must match the source
 * within the engine's measured error floor, and it is on the clipboard too (checked via the log line).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { VsCodeSession, waitUntil } from './harness';
import { CORPUS } from '../../model-host/eval/corpus';
import { launchChromium, renderSnippet } from '../../model-host/eval/render';
import { scoreTranscription } from '../../model-host/eval/score';

const snippet = CORPUS.find((s) => s.id === 'py-class')!;
let vs: VsCodeSession;

before(async () => {
  const browser = await launchChromium();
  let png: Buffer;
  try {
    png = await renderSnippet(browser, snippet.code, { theme: 'dark', font: 'DejaVu Sans Mono', fontSizePx: 15, lineNumbers: true, deviceScaleFactor: 1 });
  } finally {
    await browser.close();
  }
  vs = await VsCodeSession.launch({
    files: { 'shots/counter.png': png, 'notes.txt': 'notes\n' },
    settings: { 'visualCoder.device': 'cpu', 'visualCoder.output': 'newEditor' },
  });
});

after(async () => vs?.close());

test('Copy Code from Image puts the code of a screenshot into a new Python editor', async () => {
  await vs.openFile('shots/counter.png');
  await vs.runCommand('Visual Coder: Copy Code from Image');
  await vs.pickQuickItem(/counter\.png/);
  const text = await waitUntil(
    async () => {
      const t = await vs.activeEditorText().catch(() => '');
      return t.includes('class Counter') && t.includes('return self.value') ? t : undefined;
    },
    { timeoutMs: 120_000, what: 'the transcribed code in an editor', describeLast: async () => (await vs.activeEditorTitle().catch(() => '?')) ?? '?' },
  );
  const score = scoreTranscription(snippet.code, text);
  assert.ok(score.charErrors / score.refChars <= 0.02, `too many character errors (${score.charErrors}/${score.refChars}):\n${text}`);
  assert.ok(score.rightIndent >= score.indentLines - 1, `indentation:\n${text}`);
  // The feature logs what it did once the code is in the editor and on the clipboard.
  await vs.waitForOutput('Visual Coder', /Copy Code from Image: \d+ lines of python from shots\/counter\.png/);
});
