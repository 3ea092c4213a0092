import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

// In `serve`, stdout carries JSON-RPC frames: text a library prints inside the engine worker must go to stderr.
test('what the engine worker prints reaches stderr, never the host stdout', () => {
  const script = path.resolve(__dirname, '../fixtures/workers/run-printing-worker.ts');
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /noise printed inside the worker/);
  assert.match(r.stderr, /result 42/);
});
