/**
 * `npm start`'s code-server route (scripts/start.mjs --web): it installs the built extension,
 * starts code-server on 127.0.0.1, prints a URL that serves the workbench for samples/, and
 * Ctrl+C (SIGINT) stops code-server and everything under it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { descendants, isAlive, repoRoot, waitUntil } from './harness';

test('npm start --web prints a working URL for the samples workspace and stops cleanly on SIGINT', async () => {
  const child = spawn(process.execPath, [join(repoRoot, 'scripts', 'start.mjs'), '--web', '--no-build'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  let pids: number[] = [];
  try {
    const url = await waitUntil(() => /Open:\s+(http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+)/.exec(output)?.[1], {
      timeoutMs: 120_000,
      what: 'the URL from npm start',
      describeLast: () => output,
    });
    assert.ok(url.endsWith(`?folder=${encodeURIComponent(join(repoRoot, 'samples'))}`), url);
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /workbench/i);
    assert.match(output, /installed the built extension into .*visual-coder\.visual-coder-0\.1\.0/);
    pids = descendants(child.pid!);
    assert.ok(pids.length > 0, 'code-server runs under npm start');
  } finally {
    child.kill('SIGINT');
  }
  assert.equal(await exited, 0);
  await waitUntil(() => pids.every((p) => !isAlive(p)), { timeoutMs: 10_000, what: 'code-server to exit after Ctrl+C' });
});
