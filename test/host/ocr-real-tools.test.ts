/**
 * Copy Code from Image on screenshots made by third-party tools (the committed real-tool corpus,
 * model-host/eval/real): one image of each source type through the real built model host as
 * `task/run transcribe-code`, scored against the text fed to the tool. The floors sit below what
 * the engine measures on these images (docs/quality.md), so a regression in gutter removal, code
 * block selection or highlighted rows fails here.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InitializeRequest, TaskRunRequest } from '../../model-host/protocol';
import { loadRealCases, realCaseImage } from '../../model-host/eval/real/cases';
import { gutterResidue } from '../../model-host/eval/real/run-real';
import { scoreTranscription, totals, type SnippetScore } from '../../model-host/eval/score';
import { hostScript, startHost, stopHost, type RunningHost } from './host-test-helpers';

/**
 * One of each kind from the tuning part (the held-out part stays unseen by tests as by tuning):
 * Pygments image with its gutter on a light background in a dark style and highlighted rows,
 * documentation page, coverage report with pipes, review diff.
 */
const IDS = ['pyg-ts-class', 'doc-page-py-fib', 'coverage-py-class', 'diff-view-py-dict', 'terminal-diff-ts-class'];

let host: RunningHost;
let dir: string;

before(async () => {
  assert.ok(existsSync(hostScript), 'run `node scripts/build.mjs` first');
  dir = mkdtempSync(path.join(os.tmpdir(), 'vc-ocr-real-'));
  host = startHost();
  await host.connection.sendRequest(InitializeRequest, { clientName: 'ocr-real-tools-test', device: 'cpu', modelsDir: dir });
});

after(async () => {
  if (host) await stopHost(host);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('real-tool screenshots: only the code, gutters removed, above the quality floor', async () => {
  const cases = loadRealCases().filter((c) => IDS.includes(c.id));
  assert.equal(cases.length, IDS.length, 'cases missing from model-host/eval/real/cases.json');
  const scores: SnippetScore[] = [];
  const report: string[] = [];
  for (const c of cases) {
    const file = path.join(dir, c.file);
    writeFileSync(file, realCaseImage(c));
    const result = await host.connection.sendRequest(TaskRunRequest, { runId: c.id, taskId: 'transcribe-code', image: { path: file } });
    const score = scoreTranscription(c.truth, result.output);
    scores.push(score);
    report.push(`${c.id}: ${score.charErrors}/${score.refChars} char errors, ${score.exactLines}/${score.refLines} exact\n${result.output}`);
    assert.equal(gutterResidue(c.truth, result.output), 0, `${c.id}: gutter left in\n${result.output}`);
    // The page's prose, headings and sidebar must not come along: at most a line more than the block.
    assert.ok(result.output.trimEnd().split('\n').length <= score.refLines + 1, `${c.id}: more lines than the code\n${result.output}`);
  }
  const t = totals(scores);
  const detail = report.join('\n');
  assert.ok(t.cer <= 0.04, `CER ${(t.cer * 100).toFixed(2)}% above the 4% floor\n${detail}`);
  assert.ok(t.exactLineRate >= 0.75, `exact lines ${(t.exactLineRate * 100).toFixed(1)}% below 75%\n${detail}`);
  assert.ok(t.indentAccuracy >= 0.9, `indentation ${(t.indentAccuracy * 100).toFixed(1)}% below 90%\n${detail}`);
});

test('region=all keeps the prose of a documentation page', async () => {
  const c = loadRealCases().find((x) => x.id === 'doc-page-py-fib')!;
  const file = path.join(dir, `all-${c.file}`);
  writeFileSync(file, realCaseImage(c));
  const result = await host.connection.sendRequest(TaskRunRequest, {
    runId: 'all',
    taskId: 'transcribe-code',
    image: { path: file },
    options: { region: 'all' },
  });
  assert.match(result.output.replace(/\s+/g, ''), /Getting/i);
  assert.ok(result.output.split('\n').length > c.truth.split('\n').length + 3);
});
