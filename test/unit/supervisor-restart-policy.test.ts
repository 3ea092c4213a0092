import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RestartPolicy } from '../../src/host/restart-policy';

test('restarts three crashes within a minute with growing delays, gives up at the fourth', () => {
  const policy = new RestartPolicy();
  const decisions = [0, 1_000, 2_000, 3_000].map((t) => policy.recordCrash(t));
  assert.deepEqual(
    decisions.map((d) => d.action),
    ['restart', 'restart', 'restart', 'give-up'],
  );
  const delays = decisions.slice(0, 3).map((d) => (d.action === 'restart' ? d.delayMs : -1));
  assert.ok(delays[0] < 1_000, 'first restart is fast');
  assert.ok(delays[0] < delays[1] && delays[1] <= delays[2], `backoff grows: ${delays}`);
  assert.ok(
    delays.every((d) => d <= 2_500),
    'every restart leaves time to be back within 3 s',
  );
});

test('crashes older than the window are forgotten', () => {
  const policy = new RestartPolicy();
  // Four crashes, 30 s apart: never more than two within any 60 s.
  const decisions = [0, 30_000, 60_000, 90_000, 120_000].map((t) => policy.recordCrash(t));
  assert.ok(decisions.every((d) => d.action === 'restart'));
  assert.equal(decisions[4].crashesInWindow, 2);
});

test('reset (a user restart) clears the history', () => {
  const policy = new RestartPolicy({ maxCrashes: 1, windowMs: 10_000 });
  assert.equal(policy.recordCrash(0).action, 'restart');
  assert.equal(policy.recordCrash(1).action, 'give-up');
  policy.reset();
  assert.equal(policy.recordCrash(2).action, 'restart');
});

test('the last delay repeats', () => {
  const policy = new RestartPolicy({ maxCrashes: 5, delaysMs: [5, 50] });
  const delays = [0, 1, 2, 3].map((t) => policy.recordCrash(t)).map((d) => (d.action === 'restart' ? d.delayMs : -1));
  assert.deepEqual(delays, [5, 50, 50, 50]);
});
