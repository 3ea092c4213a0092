/**
 * The built model host over the real protocol: initialize from raw bytes (as `printf` would send
 * them), exit on stdin close and on shutdown, a responsive protocol loop while the worker burns CPU,
 * cancellation, and resilience to malformed input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import * as rpc from 'vscode-jsonrpc/node';
import {
  BusyNotification,
  DebugBurnRequest,
  InitializeRequest,
  PingRequest,
  ShutdownRequest,
  type BusyParams,
  type InitializeResult,
} from '../../model-host/protocol';
import { envWithoutVulkan, exitWithin, frame, hostScript, parseFrames, startHost, stopHost } from './host-test-helpers';

test('printf of host/initialize into serve answers version and devices; closing stdin ends the process within 2 s', async () => {
  const child = spawn(process.execPath, [hostScript, 'serve'], { env: envWithoutVulkan(), stdio: 'pipe' });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  // Everything at once, then EOF: exactly what `printf '...' | model-host serve` does.
  child.stdin.end(frame({ id: 1, method: 'host/initialize', params: { clientName: 'printf', device: 'auto' } }));
  const stdinClosedAt = performance.now();
  const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 2_000))]);
  assert.notEqual(code, 'timeout', `still running ${Math.round(performance.now() - stdinClosedAt)} ms after stdin closed`);
  assert.equal(code, 0);
  const response = parseFrames(stdout).find((m) => m.id === 1);
  assert.ok(response, `no response in ${JSON.stringify(stdout)}`);
  const result = response.result as InitializeResult;
  assert.match(result.version, /^\d+\.\d+\.\d+/);
  assert.ok(result.devices.some((d) => d.kind === 'cpu' && d.available));
  const webgpu = result.devices.find((d) => d.kind === 'webgpu');
  assert.ok(webgpu && (webgpu.available || webgpu.reason), 'webgpu is listed, with a reason when unavailable');
  assert.ok(result.engines.length > 0);
});

test('host/shutdown answers and the host exits with code 0', async () => {
  const host = startHost();
  await host.connection.sendRequest(InitializeRequest, { clientName: 'test', device: 'cpu' });
  await host.connection.sendRequest(ShutdownRequest);
  const exit = await exitWithin(host, 2_000);
  assert.deepEqual(exit, { code: 0, signal: null });
  host.connection.dispose();
});

test('host/ping answers in < 50 ms while debug/burn keeps the worker busy; cancelling the burn ends it', async () => {
  const host = startHost();
  try {
    await host.connection.sendRequest(InitializeRequest, { clientName: 'test', device: 'cpu' });
    const busy: BusyParams[] = [];
    host.connection.onNotification(BusyNotification, (p) => void busy.push(p));
    const cancel = new rpc.CancellationTokenSource();
    const burn = host.connection.sendRequest(DebugBurnRequest, { ms: 30_000 }, cancel.token);
    while (!busy.some((b) => b.busy > 0)) await new Promise((r) => setTimeout(r, 10));
    const roundTrips: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      const pong = await host.connection.sendRequest(PingRequest);
      roundTrips.push(performance.now() - t0);
      assert.equal(pong.busy, 1, 'the burn is running while we ping');
      await new Promise((r) => setTimeout(r, 20));
    }
    // The bar from the issue; the median keeps one scheduling hiccup of a shared CI core from failing it.
    const median = [...roundTrips].sort((a, b) => a - b)[Math.floor(roundTrips.length / 2)];
    console.log(`ping round trips while the worker burns: ${roundTrips.map((t) => t.toFixed(1)).join(', ')} ms`);
    assert.ok(median < 50, `ping round trips while burning: ${roundTrips.map((t) => t.toFixed(1)).join(', ')} ms`);
    cancel.cancel();
    await assert.rejects(burn, (err: rpc.ResponseError<unknown>) => {
      assert.equal(err.code, -32800);
      return true;
    });
    // Idle again: the worker stopped burning.
    while (busy.at(-1)?.busy !== 0) await new Promise((r) => setTimeout(r, 10));
    assert.equal((await host.connection.sendRequest(PingRequest)).busy, 0);
  } finally {
    await stopHost(host);
  }
});

test('debug/burn is refused without VISUAL_CODER_TEST=1', async () => {
  const host = startHost(envWithoutVulkan());
  try {
    await assert.rejects(host.connection.sendRequest(DebugBurnRequest, { ms: 10 }), /only available when VISUAL_CODER_TEST=1/);
  } finally {
    await stopHost(host);
  }
});

test('malformed frames and garbage input do not crash the host', async () => {
  const child = spawn(process.execPath, [hostScript, 'serve'], { env: envWithoutVulkan(), stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const body = '{"jsonrpc":"2.0","id":7,"method":"host/ping"';
  child.stdin.write(`Content-Length: ${body.length}\r\n\r\n${body}`); // valid header, body not JSON
  child.stdin.write('this is not a header\r\n\r\n'); // header block without Content-Length
  child.stdin.write(frame({ id: 8, method: 'no/such/method' }));
  child.stdin.write(frame({ id: 9, method: 'host/initialize', params: 'not an object' }));
  child.stdin.write(frame({ id: 10, method: 'host/ping' }));
  const deadline = Date.now() + 10_000;
  while (!parseFrames(stdout).some((m) => m.id === 10) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
  const frames = parseFrames(stdout);
  assert.equal(child.exitCode, null, `host died: ${stderr}`);
  assert.ok(
    frames.find((m) => m.id === 10 && m.result),
    `ping after garbage answered: ${stdout}\n${stderr}`,
  );
  const unknown = frames.find((m) => m.id === 8) as { error?: { code: number } } | undefined;
  assert.equal(unknown?.error?.code, -32601, 'unknown method gets MethodNotFound');
  child.stdin.end();
  assert.equal(await exited, 0);
});
