/**
 * The extension in a real VS Code extension host (code-server), on demand: a window that has not
 * used Visual Coder runs no model host (and has not even activated it); "Visual Coder: Show Host
 * Info" from the command palette activates it, starts the host and reports version, pid and
 * devices; the status bar shows state and device. A SIGKILLed host comes back. VS Code's MCP server
 * list offers the tasks to agent chats through `model-host mcp`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXTENSION_ID, VsCodeSession, isAlive, repoRoot, waitUntil } from './harness';
import { listTasks } from '../../model-host/tasks/registry';

const STATUS_ID = 'visualCoder.hostStatus';
const PROBE_ID = 'visual-coder-tests.e2e-probe';
const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
let vs: VsCodeSession;

before(async () => {
  // CPU keeps the device deterministic on every machine (auto would probe WebGPU first). The probe
  // extension activates on onStartupFinished: once it has, startup is over.
  vs = await VsCodeSession.launch({ settings: { 'visualCoder.device': 'cpu' }, extraExtensions: [join(__dirname, 'fixtures', 'probe-extension')] });
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

test('after startup a window that has not used Visual Coder has not activated it and runs no model host', async () => {
  await vs.waitForActivation(PROBE_ID);
  assert.doesNotMatch(vs.extensionHostLog(), new RegExp(`_doActivateExtension ${EXTENSION_ID.replace(/\./g, '\\.')},`));
  assert.deepEqual(modelHosts(), []);
});

test('Show Host Info, the first use, activates the extension, starts the host and reports version, pid and devices', async () => {
  await vs.runCommand('Visual Coder: Show Host Info');
  const activatedAt = await vs.waitForActivation(EXTENSION_ID);
  const note = await vs.waitForNotification(/Visual Coder model host /, 60_000);
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
  // Recorded for the closing note (not asserted: timing depends on the machine).
  const line = await vs.waitForOutput('Visual Coder', /Visual Coder activated in \d+ ms/);
  const ready = /^(\S+ \S+) \[info\] model host ready/m.exec(vs.outputChannelLog('Visual Coder'));
  const readyMs = ready ? new Date(ready[1].replace(' ', 'T')).getTime() - activatedAt.getTime() : NaN;
  console.log(`activation: ${line}; model host ready ${readyMs} ms after activation began`);
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

/** The Output panel's text as read: Monaco draws spaces as no-break spaces. */
async function outputPanelText(): Promise<string> {
  return (await vs.page.locator('.part.panel .view-lines').allTextContents()).join('\n').replace(/\u00a0/g, ' ');
}

test("VS Code's MCP server list offers Visual Coder; starting it runs `model-host mcp`, whose tools VS Code discovers", async () => {
  await vs.runCommand('MCP: List Servers');
  await vs.pickQuickItem(/Visual Coder/);
  await vs.pickQuickItem(/Start Server/);
  const server = await waitUntil(() => vs.processes().find((p) => /dist\/model-host\.js mcp --store /.test(p.command)), {
    timeoutMs: 30_000,
    what: 'the model-host mcp process VS Code starts',
  });
  assert.match(server.command, /--device cpu/, 'the server follows visualCoder.device');
  await vs.runCommand('MCP: List Servers');
  await vs.pickQuickItem(/Visual Coder/);
  await vs.pickQuickItem(/Show Output/);
  // VS Code's own log of the server, in the Output panel: it listed the tools over the protocol.
  const discovered = await waitUntil(async () => /Discovered (\d+) tools/.exec(await outputPanelText()) ?? undefined, {
    timeoutMs: 30_000,
    what: 'VS Code to discover the MCP tools',
    describeLast: async () => (await outputPanelText()).slice(-1500),
  });
  assert.equal(Number(discovered[1]), listTasks().length);
});
