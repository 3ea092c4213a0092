/**
 * `npm run package` end to end: the .vsix it builds (scripts/package.mjs also checks its natives
 * and OCR from the unpacked copy) installs into a real VS Code with `--install-extension`, and the
 * installed copy activates, starts its model host and answers Show Host Info.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXTENSION_ID, repoRoot, withVsCode } from './harness';

test('the packaged .vsix installs into code-server, activates and answers Show Host Info', async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'vc-vsix-'));
  const vsix = join(outDir, 'visual-coder.vsix');
  try {
    const pack = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'package.mjs'), '--out', vsix], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(pack.status, 0, `npm run package failed:\n${pack.stdout.slice(-3000)}\n${pack.stderr.slice(-3000)}`);
    assert.match(pack.stdout, /packaged OCR transcribes samples\/code-screenshot\.png/);
    console.log(`vsix: ${(statSync(vsix).size / 1024 / 1024).toFixed(1)} MB`);
    await withVsCode({ vsix, settings: { 'visualCoder.device': 'cpu' } }, async (vs) => {
      await vs.waitForActivation(EXTENSION_ID);
      await vs.waitForStatusBar('visualCoder.hostStatus', /Visual Coder: CPU/, 60_000);
      // The model host runs from the installed copy, not from the repository.
      const hosts = vs.processes().filter((p) => /model-host\.js serve/.test(p.command));
      assert.equal(hosts.length, 1, JSON.stringify(vs.processes()));
      assert.ok(hosts[0].command.includes(vs.extensionsDir), `host runs from ${hosts[0].command}`);
      await vs.runCommand('Visual Coder: Show Host Info');
      await vs.waitForNotification(new RegExp(`Visual Coder model host \\S+, pid ${hosts[0].pid}, device cpu`));
    });
  } finally {
    rmSync(outDir, { recursive: true, force: true });
    // Packaging left the minified production build in dist/; the other tests run the dev build.
    const rebuild = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(rebuild.status, 0, `rebuilding dist/ failed: ${rebuild.stderr}`);
  }
});
