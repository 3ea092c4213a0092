/**
 * The models feature against the shared stub: the no-model offer names the recommendation with its size,
 * a download's progress reaches the notification of the pull that asked for it (keyed by the reference the
 * pull named), and choosing a model selects it on the host and writes `visualCoder.model`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelsListResult } from '../../model-host/protocol';
import { ModelsFeature } from '../../src/features/models/models';
import { Settings } from '../../src/settings/settings';
import { fakeHostClient } from './fake-host-client';
import { recordingLog, vscodeStub, type StubOptions } from './vscode-stub';

const list: ModelsListResult = {
  store: '/store',
  presets: [
    {
      id: 'deepseek-vl-1.3b',
      displayName: 'DeepSeek-VL 1.3B',
      family: 'deepseek-vl',
      repo: 'deepseek-ai/deepseek-vl-1.3b-chat',
      revision: 'main',
      sizeBytes: 3.9e9,
      licence: 'MIT',
      minGpuMemoryGb: 4,
      goodAt: 'UI',
      installed: false,
    },
    {
      id: 'janus-pro-1b',
      displayName: 'Janus-Pro 1B',
      family: 'janus',
      repo: 'onnx-community/Janus-Pro-1B-ONNX',
      revision: 'main',
      sizeBytes: 2.2e9,
      licence: 'MIT',
      minGpuMemoryGb: 2,
      goodAt: 'UI',
      installed: true,
    },
  ],
  installed: [],
  recommended: { id: 'deepseek-vl-1.3b', reason: 'no GPU device available' },
} as unknown as ModelsListResult;

function setup(options: StubOptions = {}, pull: (params: unknown) => unknown = () => ({ id: 'x', dir: '/d', files: 1, bytes: 1 })) {
  const stub = vscodeStub(options);
  Object.assign(stub.vs.window, { createStatusBarItem: () => ({ show() {}, dispose() {} }) });
  Object.assign(stub.vs, { StatusBarAlignment: { Right: 2 } });
  const fake = fakeHostClient({
    'models/list': list,
    'models/pull': pull,
    'models/select': (p: unknown) => ({ model: { id: (p as { id: string }).id, displayName: 'Chosen', dir: '/store/x', device: 'cpu' } }),
  });
  const settings = new Settings(stub.vs, stub.memento);
  const feature = new ModelsFeature({ vs: stub.vs, host: fake.host, settings, log: recordingLog().log });
  feature.register();
  return { stub, fake, feature, settings };
}

test('the no-model offer is one warning naming the recommendation, its size and why', async () => {
  const s = setup({ answer: undefined });
  assert.equal(await s.feature.offerModelDownload(), false);
  assert.equal(s.stub.messages.length, 1);
  const [offer] = s.stub.messages;
  assert.equal(offer.kind, 'warning');
  assert.match(offer.text, /needs a vision model.*DeepSeek-VL 1\.3B, about 3\.9 GB \(no GPU device available\)/);
  assert.deepEqual(offer.buttons, ['Download DeepSeek-VL 1.3B', 'Use an Installed Model', 'Choose a Model…']);
});

test('progress of a pull reaches its own notification by the reference it named', async () => {
  let notify: (params: unknown) => void = () => undefined;
  const seen: string[] = [];
  const s = setup({}, async () => {
    notify({ id: 'org--other', ref: 'org/other', phase: 'downloading', doneBytes: 1, totalBytes: 2, bytesPerSecond: 0, files: [] });
    notify({ id: 'org--name', ref: 'org/name', phase: 'downloading', doneBytes: 5, totalBytes: 10, bytesPerSecond: 0, files: [] });
    return { id: 'org--name', dir: '/store/org--name', files: 1, bytes: 10 };
  });
  notify = (p) => s.fake.notify('models/progress', p);
  Object.assign(s.stub.vs.window, {
    withProgress: (_o: unknown, task: (p: { report(r: { message?: string }): void }, t: unknown) => Promise<unknown>) =>
      task({ report: (r) => void (r.message && seen.push(r.message)) }, { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) }),
  });
  assert.equal(await s.feature.download('org/name'), 'org--name');
  assert.deepEqual(
    seen.filter((m) => m !== 'starting…'),
    ['5 B of 10 B (50%)'],
  );
});

test('choosing an installed model selects it on the host and writes the setting once', async () => {
  const s = setup({ pick: (items) => items.find((i) => /Janus/.test(i.label)) });
  await s.stub.commands.get('visualCoder.selectModel')!();
  assert.deepEqual(
    s.fake.requests.filter((r) => r.method === 'models/select').map((r) => r.params),
    [{ id: 'janus-pro-1b' }],
    'the setting watcher does not select it a second time',
  );
  assert.equal(s.settings.model, 'janus-pro-1b');
});
