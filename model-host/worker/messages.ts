/** Messages between the host's protocol thread and its engine worker thread. */
import type { HostErrorData } from '../protocol/errors';

export interface WorkerRunMessage {
  type: 'run';
  id: number;
  /** Which job handler runs it (see `worker/handlers.ts`). */
  kind: string;
  payload: unknown;
  /** Int32Array(1) over this buffer: set to 1 by the protocol thread to ask the job to stop. */
  cancel: SharedArrayBuffer;
}

export type WorkerToHostMessage =
  | { type: 'event'; id: number; event: unknown }
  | { type: 'done'; id: number; result: unknown }
  | { type: 'error'; id: number; error: SerializedError }
  | { type: 'log'; level: 'trace' | 'debug' | 'info' | 'warn' | 'error'; message: string };

export interface SerializedError {
  message: string;
  /** JSON-RPC error code to answer with (see `HostErrorCodes`). */
  code?: number;
  data?: HostErrorData;
  stack?: string;
}
