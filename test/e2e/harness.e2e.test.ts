/**
 * Self-test of the e2e harness against a tiny test-only extension (fixtures/probe-extension): every
 * helper other e2e tests rely on is exercised here on a known extension, so a harness break shows up
 * as a failure here rather than as a mystery in a feature test.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VsCodeSession, isAlive, waitUntil } from './harness';

const PROBE_ID = 'visual-coder-tests.e2e-probe';
let vs: VsCodeSession;
let outDir: string;

before(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'vc-probe-out-'));
  vs = await VsCodeSession.launch({
    files: { 'notes.md': '# Notes\n\nfirst line\n  indented line\n' },
    env: { E2E_PROBE_TOKEN: 'token-42', E2E_PROBE_OUT: join(outDir, 'result.json') },
    extraExtensions: [join(__dirname, 'fixtures', 'probe-extension')],
  });
});

after(async () => {
  const before = vs ? vs.processes() : [];
  await vs?.close();
  // close() must leave nothing behind: code-server, its extension host, and their children.
  assert.deepEqual(
    before.filter((p) => isAlive(p.pid)),
    [],
  );
  rmSync(outDir, { recursive: true, force: true });
});

test('extensions in the fresh extensions folder activate, and environment variables reach the extension host', async () => {
  await vs.waitForActivation(PROBE_ID);
  const line = await vs.waitForOutput('E2E Probe', /probe activated; env E2E_PROBE_TOKEN=\S+/);
  assert.match(line, /E2E_PROBE_TOKEN=token-42/);
});

test('palette, quick pick, input box, notification button, status bar and editor text all drive the workbench', async () => {
  await vs.waitForStatusBar('e2eProbe.status', /probe: idle/);
  await vs.runCommand('E2E Probe: Greet');
  await vs.pickQuickItem('green');
  await vs.typeInQuickInput('Ada');
  const note = await vs.waitForNotification(/Hello Ada, you picked green/);
  assert.deepEqual(note.buttons, ['Thanks', 'Go away']);
  await note.clickButton('Thanks');
  assert.equal(await vs.waitForStatusBar('e2eProbe.status', /probe: (?!idle)/), 'probe: Thanks');
  await waitUntil(async () => (await vs.activeEditorText()).includes('answer'), { what: 'the untitled result document' });
  assert.equal(await vs.activeEditorText(), 'name: Ada\ncolour: green\nanswer: Thanks\n');
  assert.deepEqual(JSON.parse(readFileSync(join(outDir, 'result.json'), 'utf8')), { name: 'Ada', colour: 'green', answer: 'Thanks' });
});

test('openFile shows a workspace file and activeEditorText reads it with its indentation', async () => {
  await vs.openFile('notes.md');
  assert.equal(await vs.activeEditorText(), '# Notes\n\nfirst line\n  indented line\n');
});

test('runCommand fails with the offered rows when no command has that title', async () => {
  await assert.rejects(vs.runCommand('E2E Probe: No Such Command', 3000), /timed out .* matching E2E Probe: No Such Command/);
  await vs.dismissQuickInput();
});

test('screenshot and diagnostics are written to disk', async () => {
  const dir = await vs.dumpDiagnostics('self-test');
  try {
    assert.ok(existsSync(join(dir, 'screenshot.png')));
    assert.ok(existsSync(join(dir, 'code-server.log')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
