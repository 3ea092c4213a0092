/**
 * `npm run package` end to end: the .vsix it builds (scripts/package.mjs also checks, from the
 * unpacked copy outside the repository, its natives, OCR and a local DeepSeek-VL model) installs
 * into a real VS Code with `--install-extension`; the installed copy activates, starts its model
 * host, answers Show Host Info, and runs a local-model command (Formula to LaTeX on the converted
 * tiny DeepSeek-VL, OCR-augmented prompt included) into a new editor.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { EXTENSION_ID, repoRoot, withVsCode } from './harness';
import { convertTinyModel } from '../fixtures/cli/tiny-model';

test('the packaged .vsix installs into code-server, answers Show Host Info and runs a local-model command', async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'vc-vsix-'));
  const vsix = join(outDir, 'visual-coder.vsix');
  try {
    // Converted with room for the task prompts (its own config has 256 positions).
    const model = convertTinyModel(outDir, { maxPositions: 4096 });
    const png = await sharp({ create: { width: 160, height: 48, channels: 3, background: '#ffffff' } })
      .composite([
        {
          input: Buffer.from(
            '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="48"><text x="8" y="32" font-size="24" font-family="DejaVu Sans">E = mc^2</text></svg>',
          ),
        },
      ])
      .png()
      .toBuffer();
    const pack = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'package.mjs'), '--out', vsix], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(pack.status, 0, `npm run package failed:\n${pack.stdout.slice(-3000)}\n${pack.stderr.slice(-3000)}`);
    assert.match(pack.stdout, /packaged model host: transcribe samples\/code-screenshot\.png/);
    assert.match(pack.stdout, /packaged model host: run formula-to-latex on the converted model/);
    assert.match(pack.stdout, /packaged model host: serve 8 MCP tools and run transcribe-code through one/);
    assert.match(pack.stdout, /all \d+ files the packaged host loaded lie inside the extension/);
    console.log(`vsix: ${(statSync(vsix).size / 1024 / 1024).toFixed(1)} MB`);
    const settings = { 'visualCoder.device': 'cpu', 'visualCoder.model': model, 'visualCoder.maxNewTokens': 12 };
    await withVsCode({ vsix, settings, files: { 'img/formula.png': png } }, async (vs) => {
      // The host starts on first use; Show Host Info is one.
      await vs.runCommand('Visual Coder: Show Host Info');
      await vs.waitForActivation(EXTENSION_ID);
      await vs.waitForStatusBar('visualCoder.hostStatus', /Visual Coder: CPU/, 60_000);
      // The model host runs from the installed copy, not from the repository.
      const hosts = vs.processes().filter((p) => /model-host\.js serve/.test(p.command));
      assert.equal(hosts.length, 1, JSON.stringify(vs.processes()));
      assert.ok(hosts[0].command.includes(vs.extensionsDir), `host runs from ${hosts[0].command}`);
      await vs.waitForNotification(new RegExp(`Visual Coder model host \\S+, pid ${hosts[0].pid}, device cpu`));
      // A local-model task from the installed copy: transformers.js (tokenizer, chat template), ONNX Runtime, OCR.
      await vs.openFile('img/formula.png');
      await vs.runCommand('Visual Coder: Formula to LaTeX');
      await vs.pickQuickItem(/formula\.png/);
      await vs.waitForOutput('Visual Coder', /latex result: \d+ characters \(sha256 [0-9a-f]{64}\) in untitled:/, 120_000);
    });
  } finally {
    rmSync(outDir, { recursive: true, force: true });
    // Packaging left the minified production build in dist/; the other tests run the dev build.
    const rebuild = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(rebuild.status, 0, `rebuilding dist/ failed: ${rebuild.stderr}`);
  }
});
