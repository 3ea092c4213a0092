/// <reference types="mocha" />
/**
 * In-host integration suite (mocha, tdd UI): runs INSIDE a VS Code extension host and talks to the
 * extension through the `vscode` API. Run by `npm run test:vscode` (@vscode/test-cli with a
 * downloaded desktop VS Code) and, where that cannot be downloaded, by the e2e test
 * test/e2e/in-host-suite.e2e.test.ts inside code-server. Compiled by test/vscode/build-suite.mjs.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { InitializeResult } from '../../../model-host/protocol';

const EXTENSION_ID = 'visual-coder.visual-coder';

/** What activate() returns for tests (src/extension.ts: VisualCoderTestApi). */
interface TestApi {
  hostPid(): number | undefined;
  hostState(): string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function eventually(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

suite('Visual Coder in the extension host', () => {
  let extension: vscode.Extension<TestApi>;
  let api: TestApi;

  suiteSetup(async function () {
    this.timeout(60_000);
    const found = vscode.extensions.getExtension<TestApi>(EXTENSION_ID);
    assert.ok(found, `${EXTENSION_ID} is not installed in this extension host`);
    extension = found;
    api = await extension.activate();
  });

  test('contributes and registers the host commands', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['visualCoder.restartModelHost', 'visualCoder.showLogs', 'visualCoder.showHostInfo']) {
      assert.ok(commands.includes(id), `command ${id} is not registered`);
    }
  });

  test('activation alone starts no model host: it starts on first use', () => {
    assert.equal(api.hostPid(), undefined);
    assert.equal(api.hostState(), 'stopped');
  });

  test('Show Host Info answers with the version, a live pid and the devices', async function () {
    this.timeout(60_000);
    const info = await vscode.commands.executeCommand<InitializeResult>('visualCoder.showHostInfo');
    assert.ok(info, 'the command returned nothing');
    assert.equal(info.version, (extension.packageJSON as { version: string }).version);
    assert.ok(info.pid > 0 && isAlive(info.pid), `host pid ${info.pid} is not running`);
    assert.ok(
      info.devices.some((d) => d.kind === 'cpu' && d.available),
      'cpu must always be available',
    );
    assert.ok(
      info.devices.some((d) => d.kind === info.device && d.available),
      `the chosen device ${info.device} is not available`,
    );
    assert.equal(api.hostPid(), info.pid);
    assert.equal(api.hostState(), 'ready');
  });

  test('Restart Model Host replaces the process', async function () {
    this.timeout(60_000);
    const before = api.hostPid();
    assert.ok(before, 'no host pid before the restart');
    await vscode.commands.executeCommand('visualCoder.restartModelHost');
    const info = await vscode.commands.executeCommand<InitializeResult>('visualCoder.showHostInfo');
    assert.notEqual(info.pid, before, 'the pid did not change');
    await eventually(() => !isAlive(before), `the old host ${before} to exit`);
    assert.equal(api.hostState(), 'ready');
  });
});
