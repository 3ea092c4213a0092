/**
 * task/list and task/run through the real built model host over the real protocol. The text comes
 * from the remote engine talking to a fake OpenAI-compatible server on 127.0.0.1 (the boundary we
 * do not own), which streams an answer slowly enough to cancel mid-way.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as rpc from 'vscode-jsonrpc/node';
import { HostErrorCodes, InitializeRequest, TaskDeltaNotification, TaskListRequest, TaskRunRequest, type TaskRunParams } from '../../model-host/protocol';
import { getTask } from '../../model-host/tasks/registry';
import { writeSolidPng } from '../fixtures/images/make-png';

const repoRoot = path.resolve(__dirname, '..', '..');
const hostScript = path.join(repoRoot, 'dist', 'model-host.js');

const ANSWER = [
  'Sure! Here is the component:\n',
  '```jsx\n',
  'export default function Hero() {\n',
  '  return (\n',
  '    <section className="p-8">\n',
  '      <h1 className="text-4xl">Hello</h1>\n',
  '    </section>\n',
  '  );\n',
  '}\n',
  '```\n',
  'It uses Tailwind.',
];

let server: http.Server;
let endpoint: string;
let host: ChildProcess;
let connection: rpc.MessageConnection;
let dir: string;
let image: string;
const requests: { body: Record<string, unknown> }[] = [];
let chunkDelayMs = 1;

before(async () => {
  assert.ok(existsSync(hostScript), 'run `node scripts/build.mjs` first');
  dir = mkdtempSync(path.join(os.tmpdir(), 'vc-host-tasks-'));
  image = path.join(dir, 'page.png');
  await writeSolidPng(image, 32, 24, '#eef');

  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      requests.push({ body: JSON.parse(body) });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const piece of ANSWER) {
        if (res.destroyed) return;
        res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: piece } }] })}\n\n`);
        await new Promise((r) => setTimeout(r, chunkDelayMs));
      }
      res.write(`data: ${JSON.stringify({ choices: [{ delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;

  host = spawn(process.execPath, [hostScript, 'serve'], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, VISUAL_CODER_TEST: '1' } });
  connection = rpc.createMessageConnection(new rpc.StreamMessageReader(host.stdout!), new rpc.StreamMessageWriter(host.stdin!));
  connection.listen();
  await connection.sendRequest(InitializeRequest, { clientName: 'tasks-host-test', device: 'cpu', modelsDir: dir });
});

after(async () => {
  connection?.dispose();
  host?.stdin?.end();
  await new Promise((r) => host?.once('exit', r));
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

function collectDeltas(runId: string): { text: () => string; dispose(): void } {
  let text = '';
  const d = connection.onNotification(TaskDeltaNotification, (p) => {
    if (p.runId === runId) text += p.text;
  });
  return { text: () => text, dispose: () => d.dispose() };
}

const remote = () => ({ kind: 'openai' as const, endpoint, model: 'fake-vl' });

test('task/list returns the registry', async () => {
  const tasks = await connection.sendRequest(TaskListRequest, {});
  assert.ok(tasks.find((t) => t.id === 'ui-to-code')?.options[0].choices.some((c) => c.id === 'vue-sfc'));
  assert.equal(tasks.length, 8);
});

const svelte = { id: 'svelte-5', title: 'Svelte 5', language: 'svelte', instructions: 'Write one Svelte 5 component with runes.', preview: 'html' as const };

test('task/list puts the custom stacks under ui-to-code; a clash or a bad field is invalid params naming it', async () => {
  const tasks = await connection.sendRequest(TaskListRequest, { customStacks: [svelte] });
  const choices = tasks.find((t) => t.id === 'ui-to-code')!.options[0].choices;
  assert.deepEqual(choices[choices.length - 1], { id: 'svelte-5', title: 'Svelte 5', language: 'svelte', custom: true, preview: 'html' });
  await assert.rejects(connection.sendRequest(TaskListRequest, { customStacks: [{ ...svelte, id: 'vue-sfc' }] }), (err: rpc.ResponseError<unknown>) => {
    assert.equal(err.code, -32602);
    assert.match(err.message, /custom stack "vue-sfc" has the id of another stack/);
    return true;
  });
  await assert.rejects(
    connection.sendRequest(TaskListRequest, { customStacks: [{ ...svelte, preview: 'flash' as 'html' }] }),
    (err: rpc.ResponseError<unknown>) => err.code === -32602 && /customStacks\[0\]\.preview must be one of html, react, vue, none/.test(err.message),
  );
});

test('task/run streams deltas and answers with the post-processed output', async () => {
  chunkDelayMs = 1;
  const deltas = collectDeltas('run-1');
  const params: TaskRunParams = {
    runId: 'run-1',
    taskId: 'ui-to-code',
    image: { path: image },
    options: { stack: 'react-tailwind' },
    backend: remote(),
    ocrAugment: false,
  };
  const result = await connection.sendRequest(TaskRunRequest, params);
  deltas.dispose();
  assert.equal(result.raw, ANSWER.join(''));
  assert.equal(deltas.text(), result.raw);
  assert.equal(result.output, getTask('ui-to-code').postprocess(ANSWER.join(''), 'javascriptreact'));
  assert.match(result.output, /^export default function Hero\(\) \{\n/);
  assert.equal(result.language, 'javascriptreact');
  assert.equal(result.finishReason, 'stop');
  assert.equal(result.device, 'remote');
  // The server got the image and the generic (detailed) prompt.
  const body = requests.at(-1)!.body as { messages: { role: string; content: unknown }[] };
  assert.equal(body.messages[0].role, 'system');
  assert.match(JSON.stringify(body.messages[1].content), /data:image\/png;base64,/);
  assert.match(JSON.stringify(body.messages[1].content), /self-contained React function component/);
});

test('task/run with a custom stack sends its instructions and answers in its language', async () => {
  chunkDelayMs = 1;
  const result = await connection.sendRequest(TaskRunRequest, {
    runId: 'run-svelte',
    taskId: 'ui-to-code',
    image: { path: image },
    options: { stack: 'svelte-5' },
    customStacks: [svelte],
    backend: remote(),
    ocrAugment: false,
  });
  assert.equal(result.language, 'svelte');
  assert.match(result.output, /^export default function Hero/);
  const body = requests.at(-1)!.body as { messages: { role: string; content: unknown }[] };
  assert.match(JSON.stringify(body.messages[1].content), /reproduces this screenshot in Svelte 5\. Write one Svelte 5 component with runes\./);
  await assert.rejects(
    connection.sendRequest(TaskRunRequest, { runId: 'run-x', taskId: 'ui-to-code', image: { path: image }, options: { stack: 'svelte-5' }, backend: remote() }),
    (err: rpc.ResponseError<unknown>) => err.code === -32602 && /"svelte-5" is not a stack of task "ui-to-code"/.test(err.message),
  );
});

test('cancelling task/run keeps the partial text, post-processed', async () => {
  chunkDelayMs = 150;
  const source = new rpc.CancellationTokenSource();
  let received = '';
  const d = connection.onNotification(TaskDeltaNotification, (p) => {
    if (p.runId !== 'run-2') return;
    received += p.text;
    if (received.includes('export default')) source.cancel();
  });
  const result = await connection.sendRequest(
    TaskRunRequest,
    { runId: 'run-2', taskId: 'ui-to-code', image: { path: image }, options: { stack: 'react-tailwind' }, backend: remote(), ocrAugment: false },
    source.token,
  );
  d.dispose();
  assert.equal(result.finishReason, 'cancelled');
  assert.ok(result.raw.length < ANSWER.join('').length, 'stopped before the end');
  assert.ok(result.raw.startsWith(received) || received.startsWith(result.raw));
  assert.match(result.output, /^export default function Hero\(\) \{/);
  assert.equal(result.output, getTask('ui-to-code').postprocess(result.raw, 'javascriptreact'));
});

test('bad image, unknown task and no model give clear errors with their codes', async () => {
  const run = (p: Partial<TaskRunParams>) =>
    connection.sendRequest(TaskRunRequest, { runId: 'bad', taskId: 'ui-to-code', image: { path: image }, ocrAugment: false, ...p } as TaskRunParams);
  const notImage = path.join(dir, 'notes.png');
  writeFileSync(notImage, 'not an image');
  await assert.rejects(
    run({ image: { path: notImage }, backend: remote() }),
    (e: rpc.ResponseError<unknown>) => e.code === HostErrorCodes.BadImage && /not an image/.test(e.message),
  );
  await assert.rejects(
    run({ image: { base64: '' }, backend: remote() }),
    (e: rpc.ResponseError<unknown>) => e.code === HostErrorCodes.BadImage && /empty/.test(e.message),
  );
  await assert.rejects(run({ taskId: 'nope' }), (e: rpc.ResponseError<unknown>) => e.code === -32602 && /unknown task/.test(e.message));
  await assert.rejects(run({}), (e: rpc.ResponseError<unknown>) => e.code === HostErrorCodes.NoModel && /Download Model/.test(e.message));
  const before = requests.length;
  await assert.rejects(
    run({ image: { path: path.join(dir, 'missing.png') }, backend: remote() }),
    (e: rpc.ResponseError<unknown>) => e.code === HostErrorCodes.BadImage,
  );
  assert.equal(requests.length, before, 'no request reached the server for a bad image');
});
