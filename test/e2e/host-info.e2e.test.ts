/**
 * The extension in a real VS Code extension host (code-server): it activates, starts the model
 * host, shows state and device in the status bar, and "Visual Coder: Show Host Info" from the
 * command palette reports the host's version, pid and devices. A SIGKILLed host comes back.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXTENSION_ID, VsCodeSession, isAlive, repoRoot, waitUntil } from './harness';

const STATUS_ID = 'visualCoder.hostStatus';
const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
let vs: VsCodeSession;
let activatedAt: Date | undefined;

before(async () => {
  // CPU keeps the device deterministic on every machine (auto would probe WebGPU first).
  vs = await VsCodeSession.launch({ settings: { 'visualCoder.device': 'cpu' } });
});

after(async () => {
  const pids = vs ? vs.processes().map((p) => p.pid) : [];
  await vs?.close();
  assert.deepEqual(pids.filter(isAlive), [], 'close() left processes running');
});

/** The model host processes running under code-server now. */
function modelHosts(): Array<{ pid: number; command: string }> {
  return vs.processes().filter((p) => /dist\/model-host\.js serve/.test(p.command));
}

test('the extension activates in the extension host and says so in its log', async () => {
  activatedAt = await vs.waitForActivation(EXTENSION_ID);
  assert.ok(activatedAt.getTime() > 0);
  const line = await vs.waitForOutput('Visual Coder', /Visual Coder activated in \d+ ms/);
  // Recorded for the closing note (not asserted: timing depends on the machine).
  console.log(`activation: ${line}; extension host log: _doActivateExtension at ${activatedAt.toISOString()}`);
});

test('the status bar shows the host ready on the CPU, with its pid in the tooltip', async () => {
  const text = await vs.waitForStatusBar(STATUS_ID, /Visual Coder: CPU/, 60_000);
  assert.match(text, /^Visual Coder: CPU$/);
  const item = (await vs.statusBarItems()).find((i) => i.id.includes(STATUS_ID));
  const pid = Number(/ready on \*\*CPU\*\* \(pid (\d+)\)/.exec(item?.ariaLabel ?? '')?.[1]);
  assert.ok(pid > 0, `tooltip should name the pid: ${item?.ariaLabel}`);
  assert.deepEqual(
    modelHosts().map((p) => p.pid),
    [pid],
    'exactly one model host, the one the tooltip names',
  );
  // For the closing note: from the extension host starting our activation to the host's first "ready".
  const ready = /^(\S+ \S+) \[info\] model host ready/m.exec(vs.outputChannelLog('Visual Coder'));
  if (ready && activatedAt) console.log(`model host ready ${new Date(ready[1].replace(' ', 'T')).getTime() - activatedAt.getTime()} ms after activation began`);
});

test('Show Host Info from the command palette reports version, pid and devices', async () => {
  // Nothing has asked for host info yet, so whatever appears below was caused by the command.
  assert.doesNotMatch(vs.outputChannelLog('Visual Coder'), /host info:/);
  await vs.runCommand('Visual Coder: Show Host Info');
  const note = await vs.waitForNotification(/Visual Coder model host /);
  const m = /model host (\S+), pid (\d+), device (\w+); devices: (.*); engines: (.*)$/.exec(note.text);
  assert.ok(m, `unexpected host info message: ${note.text}`);
  const [, hostVersion, pid, device, devices] = m;
  assert.equal(hostVersion, version);
  assert.equal(device, 'cpu');
  assert.match(devices, /(^|; )cpu: available/);
  assert.deepEqual(
    modelHosts().map((p) => p.pid),
    [Number(pid)],
    'the pid shown is the running model host',
  );
  // The same line goes to the "Visual Coder" output channel.
  await vs.waitForOutput('Visual Coder', new RegExp(`host info: Visual Coder model host ${hostVersion.replace(/\./g, '\\.')}, pid ${pid}\\b`));
});

test('a model host killed with SIGKILL is replaced and the status bar shows it ready again', async () => {
  const [before] = modelHosts();
  assert.ok(before, 'a model host is running');
  process.kill(before.pid, 'SIGKILL');
  const after = await waitUntil(() => modelHosts().find((p) => p.pid !== before.pid), { timeoutMs: 30_000, what: 'a new model host process' });
  await waitUntil(
    async () => {
      const item = (await vs.statusBarItems()).find((i) => i.id.includes(STATUS_ID));
      return item?.ariaLabel.includes(`(pid ${after.pid})`) && item.text === 'Visual Coder: CPU';
    },
    { timeoutMs: 30_000, what: `the status bar to show the new host ${after.pid} ready`, describeLast: async () => JSON.stringify(await vs.statusBarItems()) },
  );
  await vs.waitForOutput('Visual Coder', /exit|crash|signal/i);
});
