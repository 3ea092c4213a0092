/**
 * `model-host bench --json` end to end on the tiny reference checkpoints (CPU): it converts them, measures
 * each in a child process and reports every figure. No timing is asserted, only that the figures exist,
 * are positive where they must be, and belong to the device that was asked for.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import type { ConversionFigure } from '../../model-host/cli/bench';
import type { BenchRow } from '../../model-host/bench/measure';
import { hostScript } from './host-test-helpers';

test('bench --json converts the tiny models and reports load, vision, TTFT, decode speed and RSS on cpu', () => {
  const r = spawnSync(process.execPath, [hostScript, 'bench', '--json', '--device', 'cpu', '--max-new-tokens', '4', '--runs', '1'], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { conversions: ConversionFigure[]; results: BenchRow[] };
  assert.deepEqual(
    report.conversions.map((c) => c.model),
    ['tiny-deepseek-vl (fp32)', 'tiny-deepseek-vl-hybrid (fp32)'],
  );
  for (const c of report.conversions) assert.ok(c.seconds > 0 && c.peakRssMb > 0);
  assert.equal(report.results.length, 2);
  for (const row of report.results) {
    assert.equal(row.error, undefined);
    assert.equal(row.device, 'cpu');
    assert.ok(row.loadMs > 0 && row.ttftMs > 0 && row.decodeTokensPerSecond > 0 && row.peakRssMb > 0, JSON.stringify(row));
    assert.ok(row.newTokens >= 2 && row.newTokens <= 4);
    assert.equal(row.promptTokens, 1 + 16 + 40);
  }
});

test('bench rejects an unknown device with a usage error', () => {
  const r = spawnSync(process.execPath, [hostScript, 'bench', '--device', 'tpu'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--device tpu is not one of auto, webgpu, cuda, dml, coreml, cpu/);
});
