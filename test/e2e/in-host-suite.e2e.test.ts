/**
 * Runs the in-host integration suite (test/vscode/suite, the one `npm run test:vscode` runs under
 * @vscode/test-cli in a desktop VS Code) inside code-server's extension host, through the test-only
 * runner extension test/vscode/runner-extension, and fails with each in-host failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot, waitUntil, withVsCode } from './harness';

interface InHostResults {
  passed: string[];
  failed: Array<{ title: string; error: string }>;
  done: boolean;
}

test('the in-host mocha suite passes inside code-server', async () => {
  const { buildInHostSuite } = await import('../vscode/build-suite.mjs');
  const suiteDir = await buildInHostSuite();
  const outDir = mkdtempSync(join(tmpdir(), 'vc-inhost-'));
  const resultsFile = join(outDir, 'results.json');
  try {
    const results = await withVsCode(
      {
        settings: { 'visualCoder.device': 'cpu' },
        extraExtensions: [join(repoRoot, 'test', 'vscode', 'runner-extension')],
        env: {
          VISUAL_CODER_INHOST_SUITE: suiteDir,
          VISUAL_CODER_INHOST_MOCHA: dirname(require.resolve('mocha/package.json')),
          VISUAL_CODER_INHOST_RESULTS: resultsFile,
        },
      },
      async (vs) => {
        await vs.waitForActivation('visual-coder-tests.in-host-test-runner');
        return waitUntil(() => (existsSync(resultsFile) ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as InHostResults) : undefined), {
          timeoutMs: 180_000,
          what: `the in-host suite's results in ${resultsFile}`,
          describeLast: () => vs.extensionHostLog().slice(-2000),
        });
      },
    );
    assert.ok(results.done);
    assert.deepEqual(results.failed, [], results.failed.map((f) => `${f.title}: ${f.error}`).join('\n\n'));
    assert.ok(results.passed.length >= 3, `expected the whole suite to run, got ${JSON.stringify(results.passed)}`);
    console.log(`in-host suite: ${results.passed.length} passed:\n  ${results.passed.join('\n  ')}`);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});
