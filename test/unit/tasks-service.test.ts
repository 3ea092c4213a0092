/**
 * The task service the commands, the panel and the inline actions share: the task list fetched once,
 * options asked with the last choice first or taken as remembered, params from the settings, a run
 * that streams deltas of its own run only, and the one failure path (no model → the offer of one).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as rpc from 'vscode-jsonrpc';
import { HostErrorCodes, type TaskRunResult } from '../../model-host/protocol';
import { SETTING, Settings } from '../../src/settings/settings';
import { TaskService, type TaskSink } from '../../src/tasks/task-service';
import { UI_TO_CODE, fakeHostClient } from './fake-host-client';
import { recordingLog, vscodeStub, type StubOptions } from './vscode-stub';

const uiToCode = UI_TO_CODE;

const result = (runId: string, output = 'out'): TaskRunResult => ({
  runId,
  raw: output,
  output,
  language: 'html',
  finishReason: 'stop',
  timings: { totalMs: 5 },
});

function setup(options: StubOptions & { answers?: Record<string, unknown>; offer?: boolean } = {}) {
  const stub = vscodeStub({ ...options, config: { [SETTING.maxNewTokens]: 77, [SETTING.ocrAugmentedPrompts]: false, ...options.config } });
  const settings = new Settings(stub.vs, stub.memento);
  const fake = fakeHostClient({ 'task/list': [uiToCode], ...options.answers });
  const { log, lines } = recordingLog();
  let offers = 0;
  const service = new TaskService({
    vs: stub.vs,
    host: fake.host,
    settings,
    log,
    backend: async () => undefined,
    offerModel: async () => (offers++, options.offer ?? false),
  });
  return { stub, settings, fake, service, lines, offers: () => offers };
}

function recordingSink() {
  const appended: string[] = [];
  const finished: TaskRunResult[] = [];
  let settled = 0;
  const sink: TaskSink = { append: (t) => void appended.push(t), finish: async (r) => void finished.push(r), settle: async () => void settled++ };
  return { sink, appended, finished, settled: () => settled };
}

test('the task list is fetched once; a missing task or a host that is down is said', async () => {
  const s = setup();
  assert.equal((await s.service.find('ui-to-code'))?.id, 'ui-to-code');
  await s.service.tasks();
  assert.equal(s.fake.requests.filter((r) => r.method === 'task/list').length, 1);
  assert.equal(await s.service.find('nope'), undefined);
  assert.match(s.stub.messages[0].text, /has no task "nope"/);
  const down = setup({ answers: { 'task/list': () => Promise.reject(new Error('crashed')) } });
  assert.equal(await down.service.find('ui-to-code'), undefined);
  assert.match(down.stub.messages[0].text, /model host is not available: crashed/);
});

test('options: the last choice first and remembered; without asking, the remembered one or the default', async () => {
  const s = setup({ pick: 'Vue' });
  const task = (await s.service.find('ui-to-code'))!;
  assert.deepEqual(s.service.rememberedOptions(task), { options: { stack: 'html-tailwind' }, language: 'html' });
  assert.deepEqual(await s.service.chooseOptions(task), { options: { stack: 'vue' }, language: 'vue' });
  assert.equal(s.settings.lastChoice('ui-to-code', 'stack'), 'vue');
  await s.service.chooseOptions(task);
  const [, second] = s.stub.quickPicks;
  assert.equal(second.items[0].label, 'Vue');
  assert.equal(second.items[0].description, 'last used');
  assert.deepEqual(s.service.rememberedOptions(task), { options: { stack: 'vue' }, language: 'vue' });
  const cancel = setup({ pick: () => undefined });
  assert.equal(await cancel.service.chooseOptions(task), undefined);
});

test('params carry the settings every run shares', () => {
  const s = setup();
  assert.deepEqual(s.service.params('ui-to-code', { path: '/a.png' }, { stack: 'vue' }), {
    taskId: 'ui-to-code',
    image: { path: '/a.png' },
    options: { stack: 'vue' },
    generation: { maxNewTokens: 77 },
    ocrAugment: false,
  });
});

test('a run streams only its own deltas, in order, and stops listening afterwards', async () => {
  let sendDelta: (runId: string, text: string) => void = () => undefined;
  const s = setup({
    answers: {
      'task/run': (params: unknown) => {
        const { runId } = params as { runId: string };
        sendDelta(runId, 'a');
        sendDelta('someone-else', 'X');
        sendDelta(runId, 'b');
        return result(runId);
      },
    },
  });
  sendDelta = (runId, text) => s.fake.notify('task/delta', { runId, text });
  const deltas: string[] = [];
  const r = await s.service.run(s.service.params('ui-to-code', { path: '/a.png' }), (t) => deltas.push(t));
  assert.deepEqual(deltas, ['a', 'b']);
  assert.equal(r.output, 'out');
  assert.equal(s.fake.listeners('task/delta'), 0);
  const sent = s.fake.requests.find((q) => q.method === 'task/run')!.params as { backend?: unknown; runId: string };
  assert.equal(sent.backend, undefined, 'the local model: no backend');
  assert.match(sent.runId, /^[0-9a-f-]{36}$/);
});

test('runWithProgress hands the sink every delta and the result; a token-limit stop is said', async () => {
  const s = setup({ answers: { 'task/run': (p: unknown) => ({ ...result((p as { runId: string }).runId), finishReason: 'length' }) } });
  const r = recordingSink();
  const out = await s.service.runWithProgress('Screenshot to Code (a.png)', s.service.params('ui-to-code', { path: '/a.png' }), r.sink);
  assert.equal(out?.finishReason, 'length');
  assert.equal(r.finished.length, 1);
  assert.match(s.stub.messages[0].text, /token limit .*visualCoder\.maxNewTokens/);
  assert.ok(s.lines.some((l) => /^ui-to-code: length after 5 ms/.test(l)));
});

test('a failure keeps what was written and is shown once; no model is an offer, not an error', async () => {
  const failing = setup({
    answers: { 'task/run': () => Promise.reject(new rpc.ResponseError(HostErrorCodes.BadImage, 'Cannot use the image a.png: not an image')) },
  });
  const r = recordingSink();
  assert.equal(await failing.service.runWithProgress('t', failing.service.params('ui-to-code', { path: '/a.png' }), r.sink), undefined);
  assert.equal(r.settled(), 1);
  assert.deepEqual(
    failing.stub.messages.map((m) => [m.kind, m.text]),
    [['error', 'Visual Coder: Cannot use the image a.png: not an image']],
  );
  assert.equal(failing.offers(), 0);

  const noModel = () => Promise.reject(new rpc.ResponseError(HostErrorCodes.NoModel, 'No model is installed'));
  const accepted = setup({ offer: true, answers: { 'task/run': noModel } });
  await accepted.service.runWithProgress('t', accepted.service.params('ui-to-code', { path: '/a.png' }), recordingSink().sink);
  assert.equal(accepted.offers(), 1);
  assert.deepEqual(
    accepted.stub.messages.map((m) => m.text),
    ['Visual Coder: the model is ready; run the command again.'],
  );
  const declined = setup({ offer: false, answers: { 'task/run': noModel } });
  await declined.service.runWithProgress('t', declined.service.params('ui-to-code', { path: '/a.png' }), recordingSink().sink);
  assert.deepEqual(
    declined.stub.messages.map((m) => [m.kind, m.text]),
    [['error', 'Visual Coder: No model is installed']],
  );
  assert.equal(await declined.service.offerModelIfMissing(new Error('something else')), false);
});
