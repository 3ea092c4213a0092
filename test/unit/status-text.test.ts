import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeHostStatus, tooltipLinks } from '../../src/ui/status-text';
import type { InitializeResult } from '../../model-host/protocol';

const info: InitializeResult = { version: '0.1.0', pid: 42, devices: [{ kind: 'cpu', available: true }], device: 'cpu', engines: [] };

test('ready shows the chip and the device name', () => {
  const v = describeHostStatus({ state: 'ready', info });
  assert.equal(v.text, '$(chip) Visual Coder: CPU');
  assert.equal(v.error, false);
  assert.match(v.tooltip, /pid 42/);
});

test('webgpu is spelled for people', () => {
  assert.equal(describeHostStatus({ state: 'ready', info: { ...info, device: 'webgpu' } }).text, '$(chip) Visual Coder: WebGPU');
});

test('starting spins, busy spins, both without error colour', () => {
  assert.match(describeHostStatus({ state: 'starting' }).text, /^\$\(loading~spin\)/);
  const busy = describeHostStatus({ state: 'busy', info });
  assert.match(busy.text, /~spin/);
  assert.equal(busy.error, false);
  assert.match(describeHostStatus({ state: 'busy', info, busyLabel: 'ui-to-code' }).tooltip, /working on ui-to-code \(\*\*CPU\*\*\)/);
});

test('crashed and gave-up use the error background and say which', () => {
  const crashed = describeHostStatus({ state: 'crashed', reason: 'killed by SIGKILL' });
  assert.equal(crashed.error, true);
  assert.match(crashed.text, /crashed, restarting/);
  assert.match(crashed.tooltip, /killed by SIGKILL/);
  const gaveUp = describeHostStatus({ state: 'crashed', gaveUp: true, reason: 'crashed 4 times within 60 s' });
  assert.equal(gaveUp.error, true);
  assert.match(gaveUp.text, /host stopped/);
  assert.match(gaveUp.tooltip, /4 times/);
});

test('a host not started yet reads as idle, one stopped for a reason says why', () => {
  const idle = describeHostStatus({ state: 'stopped' });
  assert.equal(idle.text, '$(circle-outline) Visual Coder: idle');
  assert.match(idle.tooltip, /starts when a Visual Coder command first needs it/);
  assert.equal(idle.error, false);
  const stopped = describeHostStatus({ state: 'stopped', reason: 'restart requested' });
  assert.match(stopped.text, /stopped/);
  assert.match(stopped.tooltip, /restart requested/);
});

test('every tooltip offers Restart and Show Logs command links', () => {
  for (const state of ['starting', 'ready', 'busy', 'crashed', 'stopped'] as const) {
    const v = describeHostStatus({ state, info });
    assert.ok(v.tooltip.includes(tooltipLinks()), state);
    assert.match(v.tooltip, /\(command:visualCoder\.restartModelHost\)/);
    assert.match(v.tooltip, /\(command:visualCoder\.showLogs\)/);
  }
});

test('reasons cannot inject Markdown links into the trusted tooltip', () => {
  const v = describeHostStatus({ state: 'crashed', reason: '[click](command:workbench.action.openSettings)' });
  assert.doesNotMatch(v.tooltip, /\[click\]\(command:workbench/);
});
