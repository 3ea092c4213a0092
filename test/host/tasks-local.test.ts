/**
 * task/run through the real built host with the real local engines: the converted tiny DeepSeek-VL
 * reference model (same answer as `model-host run --task` for the same image and options, twice:
 * the second run reuses the engine the worker cached) and the OCR engine for transcribe-code.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as rpc from 'vscode-jsonrpc/node';
import { HostErrorCodes, InitializeRequest, TaskDeltaNotification, TaskRunRequest, type TaskRunParams } from '../../model-host/protocol';
import { runTaskWithCli } from '../fixtures/cli/run-task';
import { writeSolidPng } from '../fixtures/images/make-png';

const repoRoot = path.resolve(__dirname, '..', '..');
const hostScript = path.join(repoRoot, 'dist', 'model-host.js');
const tinyCheckpoint = path.join(repoRoot, '..', 'shared', 'fixtures', 'deepseek-vl-reference', 'tiny-deepseek-vl');

let dir: string;
let modelDir: string;
let image: string;
let host: ChildProcess;
let connection: rpc.MessageConnection;

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vc-host-local-'));
  modelDir = path.join(dir, 'model');
  execFileSync(process.execPath, [hostScript, 'convert', '--from', tinyCheckpoint, '--to', modelDir], { stdio: 'ignore' });
  image = path.join(dir, 'chart.png');
  await writeSolidPng(image, 80, 60, '#44aa66');
  host = spawn(process.execPath, [hostScript, 'serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  connection = rpc.createMessageConnection(new rpc.StreamMessageReader(host.stdout!), new rpc.StreamMessageWriter(host.stdin!));
  connection.listen();
  await connection.sendRequest(InitializeRequest, { clientName: 'tasks-local-test', device: 'cpu', model: modelDir });
});

after(async () => {
  connection?.dispose();
  host?.stdin?.end();
  if (host) await new Promise((r) => host.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
});

test('the tiny model answers task/run exactly as the CLI does, streamed, and the same again on the engine the worker keeps', async () => {
  const cli = runTaskWithCli({ taskId: 'chart-to-code', option: 'library=plotly', image, model: modelDir, maxNewTokens: 40 });
  const params: TaskRunParams = {
    runId: 'a',
    taskId: 'chart-to-code',
    image: { path: image },
    options: { library: 'plotly' },
    generation: { maxNewTokens: 40 },
    ocrAugment: false,
  };
  let streamed = '';
  const sub = connection.onNotification(TaskDeltaNotification, (d) => {
    if (d.runId === 'a') streamed += d.text;
  });
  const first = await connection.sendRequest(TaskRunRequest, params);
  sub.dispose();
  assert.equal(first.raw, cli.raw);
  assert.equal(first.output, cli.output);
  assert.deepEqual(first.tokens, cli.tokens);
  assert.equal(streamed, first.raw);
  assert.equal(first.language, 'python');
  assert.equal(first.device, 'cpu');
  const second = await connection.sendRequest(TaskRunRequest, { ...params, runId: 'b' });
  assert.equal(second.output, first.output);
});

test('transcribe-code runs on OCR and keeps the indentation', async () => {
  const svg = path.join(dir, 'code.svg');
  writeFileSync(
    svg,
    '<svg xmlns="http://www.w3.org/2000/svg" width="420" height="110"><rect width="100%" height="100%" fill="#fff"/>' +
      '<text x="10" y="40" font-family="DejaVu Sans Mono" font-size="22">def add(a, b):</text>' +
      '<text x="63" y="80" font-family="DejaVu Sans Mono" font-size="22">return a + b</text></svg>',
  );
  const result = await connection.sendRequest(TaskRunRequest, { runId: 'ocr', taskId: 'transcribe-code', image: { path: svg } });
  assert.equal(result.output, 'def add(a, b):\n    return a + b\n');
  assert.equal(result.model, 'pp-ocr');
  assert.ok((result.lines?.length ?? 0) >= 2);
});

test('a folder that is not a model gives BadModel', async () => {
  await connection.sendRequest(InitializeRequest, { clientName: 'tasks-local-test', device: 'cpu', model: dir });
  await assert.rejects(
    connection.sendRequest(TaskRunRequest, { runId: 'x', taskId: 'ui-to-code', image: { path: image }, ocrAugment: false }),
    (e: rpc.ResponseError<unknown>) => e.code === HostErrorCodes.BadModel && /not a model folder|config\.json/.test(e.message),
  );
});
