/**
 * `model-host serve`: JSON-RPC over stdio. The protocol loop lives on the main thread and only
 * dispatches; engines run in the worker thread. The process exits by itself when stdin closes so
 * that an editor that dies never leaves a GPU process behind.
 */
import * as rpc from 'vscode-jsonrpc/node';
import { LogNotification, BusyNotification, logLevelPasses, type LogLevel } from '../protocol';
import { EngineWorkerClient } from '../worker/client';
import type { HostServices } from './host-services';
import { handlerModules } from './handlers';
import { FrameFilter, MAX_FRAME_BYTES } from '../protocol/frame-filter';

/** How long requests already received may still finish after stdin closes. */
const STDIN_CLOSED_GRACE_MS = 1_500;

export async function serveStdio(): Promise<number> {
  // Anything printed to stdout would corrupt the framing: route console output to stderr.
  console.log = console.info = console.debug = (...args: unknown[]) => process.stderr.write(args.map(String).join(' ') + '\n');

  // Garbage between frames is dropped and reported instead of stalling the reader.
  const input = new FrameFilter(
    (garbage) => process.stderr.write(`ignored non-protocol input: ${JSON.stringify(garbage.slice(0, 200))}\n`),
    MAX_FRAME_BYTES,
    (claimed) =>
      process.stderr.write(`protocol error: a frame header claims ${claimed} bytes, over the ${MAX_FRAME_BYTES}-byte limit; dropped it and resynchronised\n`),
  );
  process.stdin.pipe(input);
  const connection = rpc.createMessageConnection(new rpc.StreamMessageReader(input), new rpc.StreamMessageWriter(process.stdout));

  const inFlight = countInFlightRequests(connection);
  let exiting = false;
  const exit = (code: number, why: string) => {
    if (exiting) return;
    exiting = true;
    process.stderr.write(`model host exiting: ${why}\n`);
    // Answer what was already asked (e.g. `printf request | model-host serve`), but leave within 2 s.
    const deadline = Date.now() + STDIN_CLOSED_GRACE_MS;
    const finish = () => void services.worker.dispose().finally(() => process.exit(code));
    const waitForIdle = () => (inFlight.count === 0 || Date.now() >= deadline ? finish() : setTimeout(waitForIdle, 10));
    // Messages already read are dispatched asynchronously: let them reach their handlers first.
    setTimeout(waitForIdle, 100);
    setTimeout(() => process.exit(code), STDIN_CLOSED_GRACE_MS + 200).unref();
  };

  const log = (level: LogLevel, message: string) => {
    const threshold = services?.settings.logLevel ?? 'info';
    if (!logLevelPasses(level, threshold)) return;
    if (!exiting) void connection.sendNotification(LogNotification, { level, message }).catch(() => undefined);
  };

  const services: HostServices = {
    connection,
    worker: new EngineWorkerClient({
      log: (level, message) => log(level, message),
      onBusyChange: (busy, label) => {
        if (!exiting) void connection.sendNotification(BusyNotification, { busy, label }).catch(() => undefined);
      },
    }),
    log,
    settings: { clientName: 'unknown', device: 'auto' },
    devices: [{ kind: 'cpu', available: true }],
    device: 'cpu',
    testMode: process.env.VISUAL_CODER_TEST === '1',
  };

  for (const register of handlerModules) register(services);

  connection.onError(([error]) => {
    // A malformed frame: report it and keep serving; the reader resynchronises on the next header.
    process.stderr.write(`protocol error: ${error.message}\n`);
  });
  connection.onClose(() => exit(0, 'connection closed'));
  process.stdin.on('end', () => exit(0, 'stdin closed'));
  process.stdin.on('close', () => exit(0, 'stdin closed'));
  process.on('SIGTERM', () => exit(0, 'SIGTERM'));

  connection.listen();
  return new Promise<number>(() => undefined); // runs until exit()
}

/** Wraps `onRequest` so the server knows how many requests are still being answered. */
function countInFlightRequests(connection: rpc.MessageConnection): { count: number } {
  const state = { count: 0 };
  const original = connection.onRequest.bind(connection) as (...args: unknown[]) => rpc.Disposable;
  (connection as { onRequest: unknown }).onRequest = (type: unknown, handler: (...args: unknown[]) => unknown) =>
    original(type, async (...args: unknown[]) => {
      state.count++;
      try {
        return await handler(...args);
      } finally {
        state.count--;
      }
    });
  return state;
}
