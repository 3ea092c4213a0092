/**
 * Transcription quality through the real built model host: a small rendered subset of the OCR
 * corpus (light and dark, gutter numbers, 2× pixel ratio, three fonts) sent as `task/run
 * transcribe-code` over the real protocol, scored against the source. The floors are what the
 * engine meets today with a margin (see docs/quality.md for the full corpus), so regressions fail.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InitializeRequest, TaskRunRequest } from '../../model-host/protocol';
import { CORPUS } from '../../model-host/eval/corpus';
import { launchChromium, renderSnippet, type RenderStyle } from '../../model-host/eval/render';
import { scoreTranscription, totals, type SnippetScore } from '../../model-host/eval/score';
import { hostScript, startHost, stopHost, type RunningHost } from './host-test-helpers';

const CASES: { id: string; style: RenderStyle }[] = [
  { id: 'py-class', style: { theme: 'light', font: 'DejaVu Sans Mono', fontSizePx: 14, lineNumbers: false, deviceScaleFactor: 1 } },
  { id: 'ts-class', style: { theme: 'dark', font: 'Liberation Mono', fontSizePx: 16, lineNumbers: true, deviceScaleFactor: 1, selectedLine: 1 } },
  { id: 'go-main', style: { theme: 'light', font: 'Noto Sans Mono', fontSizePx: 13, lineNumbers: false, deviceScaleFactor: 2, tabSize: 4 } },
  { id: 'c-list', style: { theme: 'dark', font: 'DejaVu Sans Mono', fontSizePx: 12, lineNumbers: true, deviceScaleFactor: 1 } },
];

let host: RunningHost;
let dir: string;
const images = new Map<string, string>();

before(async () => {
  assert.ok(existsSync(hostScript), 'run `node scripts/build.mjs` first');
  dir = mkdtempSync(path.join(os.tmpdir(), 'vc-ocr-quality-'));
  const browser = await launchChromium();
  try {
    for (const c of CASES) {
      const snippet = CORPUS.find((s) => s.id === c.id);
      assert.ok(snippet, c.id);
      const file = path.join(dir, `${c.id}.png`);
      writeFileSync(file, await renderSnippet(browser, snippet.code, c.style));
      images.set(c.id, file);
    }
  } finally {
    await browser.close();
  }
  host = startHost();
  await host.connection.sendRequest(InitializeRequest, { clientName: 'ocr-quality-test', device: 'cpu', modelsDir: dir });
});

after(async () => {
  if (host) await stopHost(host);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('transcribe-code on rendered screenshots meets the quality floor', async () => {
  const scores: SnippetScore[] = [];
  const report: string[] = [];
  for (const c of CASES) {
    const snippet = CORPUS.find((s) => s.id === c.id)!;
    const result = await host.connection.sendRequest(TaskRunRequest, { runId: c.id, taskId: 'transcribe-code', image: { path: images.get(c.id) } });
    const score = scoreTranscription(snippet.code, result.output);
    scores.push(score);
    report.push(`${c.id}: ${score.charErrors}/${score.refChars} char errors, ${score.exactLines}/${score.refLines} exact\n${result.output}`);
    assert.equal(result.finishReason, 'stop');
    assert.equal(result.language, snippet.language, `${c.id}: language`);
    assert.ok(result.lines && result.lines.length >= score.refLines - 1, `${c.id}: per-line info`);
    for (const line of result.lines) {
      assert.equal(line.box.length, 4);
      assert.ok(line.confidence >= 0 && line.confidence <= 1);
    }
  }
  const t = totals(scores);
  const detail = report.join('\n');
  assert.ok(t.cer <= 0.02, `CER ${(t.cer * 100).toFixed(2)}% above the 2% floor\n${detail}`);
  assert.ok(t.exactLineRate >= 0.85, `exact lines ${(t.exactLineRate * 100).toFixed(1)}% below 85%\n${detail}`);
  assert.ok(t.indentAccuracy >= 0.95, `indentation ${(t.indentAccuracy * 100).toFixed(1)}% below 95%\n${detail}`);
});
