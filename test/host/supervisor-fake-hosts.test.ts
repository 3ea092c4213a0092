/**
 * The supervisor against fake host programs at the process boundary: each fake misbehaves in one
 * way a real host could (crash at start, crash mid-request, hang, refuse to exit, chatty stdout).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NotificationType, RequestType0 } from 'vscode-jsonrpc';
import { PingRequest } from '../../model-host/protocol';
import { isAlive } from '../../src/host/process-tree';
import { HostUnavailableError } from '../../src/host/supervisor';
import { fakeSupervisor, waitForState } from './supervisor-test-helpers';

test('a host that crashes at start is retried, then the supervisor gives up after the 4th crash in the window', async () => {
  const { supervisor, log, states } = fakeSupervisor('crash-at-start.ts');
  await assert.rejects(supervisor.start(), (err: Error) => {
    assert.ok(err instanceof HostUnavailableError);
    assert.match(err.message, /crashed 4 times within 60 s/);
    return true;
  });
  assert.equal(supervisor.pids.length, 4, 'started exactly 4 times');
  assert.equal(supervisor.state, 'crashed');
  assert.equal(supervisor.gaveUp, true);
  const last = states.at(-1)!;
  assert.equal(last.gaveUp, true);
  assert.match(log.text(), /cannot load native module/, 'host stderr reaches the log');
  assert.match(log.text(), /exit code 3/);
  // No further restart happens on its own.
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(supervisor.pids.length, 4);
  await assert.rejects(supervisor.whenReady(), /will not be restarted automatically/);
  await supervisor.dispose();
});

test('a host program that cannot be spawned counts as crashes and ends in the gave-up state with the reason', async () => {
  const { supervisor, log } = fakeSupervisor('crash-at-start.ts', { spawn: { command: '/nonexistent/node', args: [] } });
  await assert.rejects(supervisor.start(), /crashed 4 times/);
  assert.match(log.text(), /failed to start: spawn \/nonexistent\/node ENOENT/);
  await supervisor.dispose();
});

test('crashes spread beyond the window keep being restarted (injected clock)', async () => {
  let now = 0;
  const { supervisor, states } = fakeSupervisor('crash-at-start.ts', {
    // Each crash is "31 s" after the previous one: never 4 in 60 s.
    now: () => (now += 31_000),
  });
  void supervisor.start().catch(() => undefined);
  while (supervisor.pids.length < 6) await new Promise((r) => setTimeout(r, 20));
  await supervisor.dispose();
  assert.equal(supervisor.gaveUp, false);
  assert.ok(states.every((c) => !c.gaveUp));
});

test('restart() after giving up starts a fresh host', async () => {
  const { supervisor } = fakeSupervisor('crash-at-start.ts', { restart: { delaysMs: [10], maxCrashes: 0 } });
  await assert.rejects(supervisor.start());
  assert.equal(supervisor.pids.length, 1);
  await assert.rejects(supervisor.restart());
  assert.equal(supervisor.pids.length, 2, 'a user restart tries again even after giving up');
  await supervisor.dispose();
});

test('two restarts requested at once make one new host', async () => {
  const { supervisor } = fakeSupervisor('crash-mid-request.ts');
  await supervisor.start();
  const [a, b] = await Promise.all([supervisor.restart(), supervisor.restart()]);
  assert.equal(a.pid, b.pid);
  assert.equal(supervisor.pids.length, 2);
  assert.equal(supervisor.state, 'ready');
  await supervisor.dispose();
});

test('a request in flight when the host dies rejects with a clear error; streamed notifications were delivered; the host comes back', async () => {
  const { supervisor } = fakeSupervisor('crash-mid-request.ts');
  const deltas: string[] = [];
  supervisor.onNotification(new NotificationType<{ text: string }>('task/delta'), (p) => deltas.push(p.text));
  await supervisor.start();
  const firstPid = supervisor.pid;
  await assert.rejects(supervisor.sendRequest(new RequestType0<unknown, void>('test/work')), (err: Error) => {
    assert.ok(err instanceof HostUnavailableError, `got ${err}`);
    assert.match(err.message, /stopped while answering \(exit code 7\)/);
    return true;
  });
  assert.deepEqual(deltas, ['partial ']);
  await waitForState(supervisor, (c) => c.state === 'ready');
  assert.notEqual(supervisor.pid, firstPid);
  // Notification handlers survive the restart.
  await assert.rejects(supervisor.sendRequest(new RequestType0<unknown, void>('test/work')));
  assert.deepEqual(deltas, ['partial ', 'partial ']);
  await supervisor.dispose();
});

test('a host that never answers initialize is killed after the timeout and counted as a crash', async () => {
  const { supervisor, log } = fakeSupervisor('hang.ts', { initializeTimeoutMs: 300, restart: { maxCrashes: 1, delaysMs: [10] } });
  await assert.rejects(supervisor.start(), /crashed 2 times/);
  assert.equal(supervisor.pids.length, 2);
  assert.match(log.text(), /did not answer host\/initialize within 300 ms/);
  for (const pid of supervisor.pids) assert.equal(isAlive(pid), false, `hung host ${pid} was killed`);
  await supervisor.dispose();
});

test('a host that ignores shutdown, stdin closing and SIGTERM is killed with its grandchild, and the PIDs are gone', async () => {
  const { supervisor, log, states } = fakeSupervisor('never-exit.ts');
  const info = (await supervisor.start()) as unknown as { pid: number; grandchildPid: number };
  assert.ok(isAlive(info.pid) && isAlive(info.grandchildPid));
  await supervisor.dispose();
  assert.equal(isAlive(info.pid), false, 'host gone');
  assert.equal(isAlive(info.grandchildPid), false, 'grandchild gone');
  assert.match(log.text(), /sending SIGTERM/);
  assert.match(log.text(), /ignoring SIGTERM/);
  assert.match(log.text(), /killing model host process tree/);
  assert.doesNotMatch(log.text(), /still alive after kill/);
  assert.equal(states.at(-1)!.state, 'stopped');
  assert.equal(supervisor.pids.length, 1, 'an intentional stop is not a crash: no restart');
});

test('garbage on stdout is logged and skipped; the protocol keeps working', async () => {
  const { supervisor, log } = fakeSupervisor('garbage-stdout.ts');
  const info = await supervisor.start();
  assert.equal(info.version, 'fake-0');
  const pong = await supervisor.sendRequest(PingRequest);
  assert.equal(pong.busy, 0);
  assert.match(log.text(), /non-protocol output.*Loading native backend/s);
  assert.match(log.text(), /stray line/);
  await supervisor.dispose();
  assert.equal(supervisor.pids.length, 1, 'garbage alone is not a crash');
});

test('an undecodable frame makes the stream unusable: the host is treated as crashed and restarted', async () => {
  const { supervisor, log } = fakeSupervisor('garbage-stdout.ts', {}, ['broken-frame']);
  await supervisor.start();
  const first = supervisor.pid!;
  await assert.rejects(supervisor.sendRequest(PingRequest), /unusable protocol stream/);
  await waitForState(supervisor, (c) => c.state === 'ready');
  assert.notEqual(supervisor.pid, first);
  assert.equal(isAlive(first), false);
  assert.match(log.text(), /unusable protocol stream/);
  await supervisor.dispose();
});
