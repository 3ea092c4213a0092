/**
 * The host commands, the gave-up message and the settings watcher against a recording stand-in for
 * the `vscode` API (the real one exists only inside VS Code; e2e covers that).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InitializeResult } from '../../model-host/protocol';
import type { HostClient, HostStateChange } from '../../src/host/host-client';
import { registerHostCommands, formatHostInfo } from '../../src/features/host-commands';
import { readInitializeParams, watchHostSettings } from '../../src/host/initialize-params';
import { Settings } from '../../src/settings/settings';
import { recordingLog, vscodeStub } from './vscode-stub';

const info: InitializeResult = {
  version: '9.9.9',
  pid: 1234,
  devices: [
    { kind: 'webgpu', available: false, reason: 'Failed to get a WebGPU adapter: No supported adapters' },
    { kind: 'cpu', available: true },
  ],
  device: 'cpu',
  engines: [{ id: 'vlm', description: '' }],
};

/** The shared stub, answering every message with `answer`; settings given by their key under visualCoder. */
function fakeVs(answer: string | undefined, config: Record<string, unknown> = {}) {
  const stub = vscodeStub({ answer, config: Object.fromEntries(Object.entries(config).map(([k, v]) => [`visualCoder.${k}`, v])) });
  return { ...stub, settings: new Settings(stub.vs) };
}

function fakeHost(ready: Promise<InitializeResult>) {
  const listeners: Array<(c: HostStateChange) => void> = [];
  const host = {
    state: 'ready',
    info,
    whenReady: () => ready,
    onDidChangeState: (l: (c: HostStateChange) => void) => (listeners.push(l), { dispose() {} }),
  } as unknown as HostClient;
  return { host, fire: (c: HostStateChange) => listeners.forEach((l) => l(c)) };
}

function setup(answer: string | undefined, ready: Promise<InitializeResult> = Promise.resolve(info)) {
  const f = fakeVs(answer);
  const { host, fire } = fakeHost(ready);
  let restarts = 0;
  const { log, lines: logLines, shown } = recordingLog();
  registerHostCommands({ vs: f.vs, log, host }, { restart: async () => (restarts++, info), pid: 1234 });
  return { ...f, fire, logLines, shown, restarts: () => restarts };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

test('the three commands are registered', () => {
  const { commands } = setup(undefined);
  assert.deepEqual([...commands.keys()].sort(), ['visualCoder.restartModelHost', 'visualCoder.showHostInfo', 'visualCoder.showLogs']);
});

test('Show Host Info shows version, pid, devices with reasons and the chosen device, and logs the same line', async () => {
  const { commands, messages, logLines } = setup(undefined);
  await commands.get('visualCoder.showHostInfo')!();
  const expected = formatHostInfo(info);
  assert.equal(
    expected,
    'Visual Coder model host 9.9.9, pid 1234, device cpu; devices: webgpu: unavailable (Failed to get a WebGPU adapter: No supported adapters); cpu: available; engines: vlm',
  );
  assert.deepEqual(messages, [{ kind: 'info', text: expected, buttons: [] }]);
  assert.ok(logLines.includes(`host info: ${expected}`));
});

test('Show Host Info when the host is down says so and offers Restart', async () => {
  const { commands, messages, restarts } = setup('Restart', Promise.reject(new Error('crashed 4 times')));
  await commands.get('visualCoder.showHostInfo')!();
  await settle();
  assert.equal(messages[0].kind, 'error');
  assert.match(messages[0].text, /not running: crashed 4 times/);
  assert.equal(restarts(), 1);
});

test('giving up shows an error with Restart and Show Logs; each button does its job', async () => {
  for (const [answer, restartsExpected, shownExpected] of [
    ['Restart', 1, 0],
    ['Show Logs', 0, 1],
    [undefined, 0, 0],
  ] as const) {
    const s = setup(answer);
    s.fire({ state: 'crashed', reason: 'killed by SIGKILL' });
    assert.equal(s.messages.length, 0, 'a single crash (being restarted) is not a popup');
    s.fire({ state: 'crashed', gaveUp: true, reason: 'The Visual Coder model host crashed 4 times within 60 s' });
    await settle();
    assert.deepEqual(s.messages[0], { kind: 'error', text: 'The Visual Coder model host crashed 4 times within 60 s', buttons: ['Restart', 'Show Logs'] });
    assert.equal(s.restarts(), restartsExpected);
    assert.equal(s.shown(), shownExpected);
  }
});

test('changing visualCoder.device asks before restarting a running host; visualCoder.model and unrelated settings do not', async () => {
  const f = fakeVs('Restart');
  let restarts = 0;
  watchHostSettings(f.vs.window, f.settings, { state: 'ready', restart: async () => restarts++ });
  await f.fireConfig(['editor.fontSize']);
  assert.equal(f.messages.length, 0);
  // The model is applied through models/select (src/features/model-setting.ts), not a restart.
  await f.fireConfig(['visualCoder.model']);
  assert.equal(f.messages.length, 0);
  assert.equal(restarts, 0);
  await f.fireConfig(['visualCoder.device']);
  assert.match(f.messages[0].text, /visualCoder\.device changed\. Restart the model host/);
  assert.equal(restarts, 1);
  const later = fakeVs('Later');
  let laterRestarts = 0;
  watchHostSettings(later.vs.window, later.settings, { state: 'busy', restart: async () => laterRestarts++ });
  await later.fireConfig(['visualCoder.modelsDir']);
  assert.equal(later.messages.length, 1);
  assert.equal(laterRestarts, 0);
});

test('a host that has not started yet takes changed settings when it starts: no restart prompt', async () => {
  const f = fakeVs('Restart');
  let restarts = 0;
  watchHostSettings(f.vs.window, f.settings, { state: 'stopped', restart: async () => restarts++ });
  await f.fireConfig(['visualCoder.device', 'visualCoder.modelsDir']);
  assert.equal(f.messages.length, 0);
  assert.equal(restarts, 0);
});

test('initialize params come from the settings; bad values fall back to defaults', () => {
  const good = readInitializeParams(
    fakeVs(undefined, { device: 'webgpu', modelsDir: '/models', model: 'deepseek-vl-1.3b' }).settings,
    'Code Test 1.100.0',
    '/default',
    'debug',
  );
  assert.deepEqual(good, { clientName: 'Code Test 1.100.0', device: 'webgpu', modelsDir: '/models', model: 'deepseek-vl-1.3b', logLevel: 'debug' });
  const bad = readInitializeParams(fakeVs(undefined, { device: 'tpu', modelsDir: '  ' }).settings, 'Code Test 1.100.0', '/default');
  assert.deepEqual(bad, { clientName: 'Code Test 1.100.0', device: 'auto', modelsDir: '/default', model: undefined, logLevel: 'info' });
});
