// Runs the test tiers: unit (plain Node), host (the real model-host process), e2e (code-server).
// `all` also type-checks, lints and checks the formatting. Ends with one "N passed, N failed" line over every tier run.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, mkdtempSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const tiers = { unit: 'test/unit', host: 'test/host', e2e: 'test/e2e' };
const which = process.argv[2] ?? 'all';
const selected = which === 'all' ? Object.keys(tiers) : [which];
if (!selected.every((t) => t in tiers)) {
  console.error(`usage: node scripts/test.mjs [all|${Object.keys(tiers).join('|')}]`);
  process.exit(2);
}

function run(cmd, args, env = {}) {
  console.log(`\n> ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

function findTests(dir) {
  const out = [];
  let entries = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries.sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

let failedSteps = 0;
if (which === 'all') {
  if (run('npx', ['tsc', '--noEmit', '-p', '.']) !== 0) failedSteps++;
  if (run('npx', ['eslint', '.']) !== 0) failedSteps++;
  if (run('npx', ['prettier', '--check', '**/*.{ts,mts,mjs,cjs,js,css}']) !== 0) failedSteps++;
}
if (selected.some((t) => t !== 'unit') && run('node', ['scripts/build.mjs']) !== 0) process.exit(1);

const totals = { passed: 0, failed: 0, skipped: 0 };
const countsDir = mkdtempSync(join(tmpdir(), 'vc-test-counts-'));
for (const tier of selected) {
  const files = findTests(tiers[tier]);
  if (files.length === 0) {
    console.log(`\n(no ${tier} tests)`);
    continue;
  }
  const countsFile = join(countsDir, `${tier}.json`);
  const status = run(
    'node',
    [
      '--import',
      'tsx',
      '--test',
      '--test-concurrency=1',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=./scripts/count-reporter.mjs',
      `--test-reporter-destination=${countsFile}`,
      ...files,
    ],
    { VISUAL_CODER_TEST_TIER: tier },
  );
  try {
    const c = JSON.parse(readFileSync(countsFile, 'utf8'));
    for (const k of Object.keys(totals)) totals[k] += c[k];
    console.log(`${tier}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
  } catch {
    totals.failed++;
  }
  if (status !== 0 && totals.failed === 0) totals.failed++;
}
rmSync(countsDir, { recursive: true, force: true });
if (failedSteps) console.log(`${failedSteps} check step(s) failed (tsc/eslint/prettier)`);
console.log(`\n${totals.passed} passed, ${totals.failed + failedSteps} failed, ${totals.skipped} skipped`);
process.exit(totals.failed + failedSteps > 0 ? 1 : 0);
