/**
 * Entry point of the engine worker thread. Inference blocks the thread it runs on (onnxruntime-node's
 * `session.run` is synchronous), so it happens here and the host's protocol loop stays responsive.
 * Jobs run one at a time in arrival order; the protocol thread queues them.
 */
import { parentPort } from 'node:worker_threads';
import type { WorkerRunMessage, WorkerToHostMessage } from './messages';
import type { HostErrorData } from '../protocol/errors';
import { jobHandlers } from './handlers';

const port = parentPort;
if (!port) throw new Error('engine-worker must run in a worker thread');
const post = (message: WorkerToHostMessage) => port.postMessage(message);

port.on('message', async (message: WorkerRunMessage) => {
  if (message.type !== 'run') return;
  const { id, kind, payload } = message;
  const cancel = new Int32Array(message.cancel);
  const handler = jobHandlers[kind];
  try {
    if (!handler) throw new Error(`unknown job kind: ${kind}`);
    const result = await handler(payload, {
      isCancelled: () => Atomics.load(cancel, 0) !== 0,
      emit: (event) => post({ type: 'event', id, event }),
      log: (level, text) => post({ type: 'log', level, message: text }),
    });
    post({ type: 'done', id, result });
  } catch (err) {
    const e = err as Error & { code?: number; data?: HostErrorData };
    const code = typeof e?.code === 'number' ? e.code : undefined;
    post({ type: 'error', id, error: { message: e?.message ?? String(err), code, data: code === undefined ? undefined : e.data, stack: e?.stack } });
  }
});
