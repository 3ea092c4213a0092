/** The supervisor over the real built host: SIGKILL brings a new host back, shutdown leaves nothing behind. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { DebugBurnRequest, PingRequest } from '../../model-host/protocol';
import { HostSupervisor } from '../../src/host/supervisor';
import { isAlive } from '../../src/host/process-tree';
import { RecordingLog, waitForState } from './supervisor-test-helpers';
import { envWithoutVulkan, hostScript } from './host-test-helpers';

test('the real host killed with SIGKILL is back (new pid, answering) within 3 s; dispose leaves no process', async () => {
  const log = new RecordingLog();
  const supervisor = new HostSupervisor({
    spawn: { command: process.execPath, args: [hostScript, 'serve'], env: envWithoutVulkan({ VISUAL_CODER_TEST: '1' }) },
    initializeParams: () => ({ clientName: 'supervisor host test', device: 'auto', logLevel: 'info' }),
    log,
  });
  const states: string[] = [];
  supervisor.onDidChangeState((c) => states.push(c.busyLabel ? `${c.state}:${c.busyLabel}` : c.state));
  try {
    const first = await supervisor.start();
    assert.equal(first.pid, supervisor.pid);
    assert.match(log.text(), /\[host\] device cpu: available/, 'host/log notifications reach the log');

    // host/busy drives ready ⇄ busy.
    await supervisor.sendRequest(DebugBurnRequest, { ms: 200 });
    if (supervisor.state === 'busy') await waitForState(supervisor, (c) => c.state === 'ready');
    // A queued job may be announced before its label is known: 'busy' can precede 'busy:burn'.
    assert.deepEqual(
      states.filter((x) => x !== 'busy'),
      ['starting', 'ready', 'busy:burn', 'ready'],
    );

    const crashed = waitForState(supervisor, (c) => c.state === 'crashed');
    const killedAt = performance.now();
    process.kill(first.pid, 'SIGKILL');
    const crash = await crashed;
    assert.match(crash.reason ?? '', /SIGKILL/);
    const back = await waitForState(supervisor, (c) => c.state === 'ready', 3_000);
    const backMs = performance.now() - killedAt;
    console.log(`host back ${backMs.toFixed(0)} ms after SIGKILL`);
    assert.ok(back.info && back.info.pid !== first.pid, 'a new host process');
    assert.equal(isAlive(first.pid), false);
    assert.equal((await supervisor.sendRequest(PingRequest)).busy, 0);
    assert.deepEqual(
      states.filter((x) => x !== 'busy'),
      ['starting', 'ready', 'busy:burn', 'ready', 'crashed', 'starting', 'ready'],
    );
  } finally {
    const pids = [...supervisor.pids];
    await supervisor.dispose();
    for (const pid of pids) assert.equal(isAlive(pid), false, `host ${pid} gone after dispose`);
  }
  assert.equal(supervisor.state, 'stopped');
});
