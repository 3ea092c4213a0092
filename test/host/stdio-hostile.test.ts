/**
 * The stdio host probed with hostile frames: a header claiming 10^12 bytes does not wedge it (the next
 * ping is answered), a host that stops answering is restarted by the real supervisor's ping within 3 s,
 * and wrongly typed params are InvalidParams (-32602) naming the field, never an internal error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import * as rpc from 'vscode-jsonrpc/node';
import { HostErrorCodes, PingRequest, TaskRunRequest } from '../../model-host/protocol';
import { HostSupervisor } from '../../src/host/supervisor';
import { envWithoutVulkan, frame, hostScript, parseFrames, startHost, stopHost } from './host-test-helpers';
import { fakeHostArgs, RecordingLog, waitForState } from './supervisor-test-helpers';
import { repoRoot } from './host-test-helpers';

test('a frame claiming 1e12 bytes is dropped: the host answers the next ping and stays up', async () => {
  const child = spawn(process.execPath, [hostScript, 'serve'], { env: envWithoutVulkan(), stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  try {
    child.stdin.write(frame({ id: 1, method: 'host/initialize', params: { clientName: 'hostile', device: 'cpu' } }));
    child.stdin.write('Content-Length: 1000000000000\r\n\r\n{"jsonrpc":"2.0","id":2,"method":"host/ping"}');
    child.stdin.write(frame({ id: 3, method: 'host/ping' }));
    const deadline = Date.now() + 10_000;
    while (!parseFrames(stdout).some((m) => m.id === 3) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const answers = parseFrames(stdout);
    assert.ok(
      answers.some((m) => m.id === 3 && m.result),
      `no answer to the ping after the oversize frame: ${stdout.slice(-300)}`,
    );
    assert.ok(!answers.some((m) => m.id === 2), 'the oversize frame was not read');
    assert.match(stderr, /claims 1000000000000 bytes, over the \d+-byte limit/);
    assert.equal(child.exitCode, null, 'still running');
  } finally {
    child.kill('SIGKILL');
  }
});

test('a host that stops answering is ended and restarted by the supervisor ping within 3 s', async () => {
  const log = new RecordingLog();
  const supervisor = new HostSupervisor({
    spawn: { command: process.execPath, args: fakeHostArgs('wedged-after-init.ts'), cwd: repoRoot },
    initializeParams: () => ({ clientName: 'watchdog test', device: 'cpu' }),
    log,
    pingIntervalMs: 300,
    pingTimeoutMs: 700,
    restart: { delaysMs: [10] },
  });
  try {
    const first = await supervisor.start();
    const since = performance.now();
    const crash = await waitForState(supervisor, (c) => c.state === 'crashed', 3_000);
    assert.match(crash.reason ?? '', /did not answer host\/ping within 700 ms/);
    const back = await waitForState(supervisor, (c) => c.state === 'ready', 3_000);
    assert.notEqual(back.info?.pid, first.pid, 'a new host');
    console.log(`wedged host replaced ${Math.round(performance.now() - since)} ms after it was ready`);
  } finally {
    await supervisor.dispose();
  }
});

test('wrongly typed task/run params are InvalidParams naming the field', async () => {
  const host = startHost();
  try {
    await host.connection.sendRequest('host/initialize', { clientName: 'params test', device: 'cpu' });
    const run = (params: unknown) =>
      host.connection.sendRequest(TaskRunRequest.method, params).then(
        () => assert.fail('accepted'),
        (e: rpc.ResponseError<{ field?: string }>) => e,
      );
    const base = { runId: 'r', taskId: 'transcribe-code', image: { path: '/tmp/x.png' } };
    for (const [params, field] of [
      [{ ...base, image: { path: 5 } }, 'image.path'],
      [{ ...base, image: { path: 'relative/shot.png' } }, 'image.path'],
      [{ ...base, image: {} }, 'image'],
      [{ ...base, generation: { maxNewTokens: 'x' } }, 'generation.maxNewTokens'],
      [{ ...base, generation: { maxNewTokens: -5 } }, 'generation.maxNewTokens'],
      [{ ...base, options: { stack: 3 } }, 'options.stack'],
      [{ ...base, taskId: undefined }, 'taskId'],
      [{ ...base, imagePath: '/tmp/x.png' }, 'imagePath'],
      ['not an object', 'params'],
    ] as const) {
      const err = await run(params);
      assert.equal(err.code, HostErrorCodes.InvalidParams, `${field}: ${err.message}`);
      assert.equal(err.data?.field, field, err.message);
      assert.ok(err.message.startsWith(field), err.message);
    }
    // The host is fine afterwards.
    assert.ok((await host.connection.sendRequest(PingRequest)).hostTimeMs > 0);
  } finally {
    await stopHost(host);
  }
});
