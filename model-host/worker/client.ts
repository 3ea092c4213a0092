/**
 * The protocol thread's handle on the engine worker: a queue of jobs run one at a time, events
 * streamed back, soft cancel through a shared flag and hard cancel by ending the worker.
 *
 * One job at a time on purpose: concurrent ONNX Runtime WebGPU runs crash on Linux/Vulkan, and a
 * second request while one runs must be queued, not lost.
 */
import { Worker } from 'node:worker_threads';
import * as path from 'node:path';
import type { LogLevel } from '../protocol';
import { HostErrorCodes } from '../protocol';
import type { WorkerRunMessage, WorkerToHostMessage } from './messages';
import { HostError } from '../protocol/errors';

export interface JobOptions {
  onEvent?: (event: unknown) => void;
  /** Label for busy notifications, e.g. the task id. */
  label?: string;
}

interface PendingJob {
  id: number;
  kind: string;
  payload: unknown;
  options: JobOptions;
  cancel: SharedArrayBuffer;
  resolve(result: unknown): void;
  reject(error: Error): void;
  hardCancelTimer?: NodeJS.Timeout;
}

export interface EngineWorkerClientOptions {
  /** Path of the bundled worker script; defaults to `engine-worker.js` beside the host bundle. */
  workerPath?: string;
  /** How long a cancelled job may keep the worker before it is ended (e.g. stuck in prefill). */
  hardCancelAfterMs?: number;
  log(level: LogLevel, message: string): void;
  onBusyChange?(busy: number, label?: string): void;
}

export class EngineWorkerClient {
  private worker?: Worker;
  private nextId = 1;
  private running?: PendingJob;
  private readonly queue: PendingJob[] = [];

  constructor(private readonly options: EngineWorkerClientOptions) {}

  /** Jobs running or waiting. */
  get busy(): number {
    return this.queue.length + (this.running ? 1 : 0);
  }

  /** Queues a job; the promise settles with its result, or a HostError (Cancelled on cancel). */
  run<T>(kind: string, payload: unknown, options: JobOptions = {}, signal?: { onCancel(cb: () => void): void }): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const job: PendingJob = {
        id: this.nextId++,
        kind,
        payload,
        options,
        cancel: new SharedArrayBuffer(4),
        resolve: resolve as (r: unknown) => void,
        reject,
      };
      signal?.onCancel(() => this.cancel(job));
      this.queue.push(job);
      this.notifyBusy();
      this.pump();
    });
  }

  /** Ends the worker thread; queued and running jobs are rejected. */
  async dispose(): Promise<void> {
    const error = new HostError(HostErrorCodes.Cancelled, 'model host is shutting down');
    for (const job of this.queue.splice(0)) job.reject(error);
    this.running?.reject(error);
    this.running = undefined;
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private cancel(job: PendingJob): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      job.reject(new HostError(HostErrorCodes.Cancelled, 'cancelled before it started'));
      this.notifyBusy();
      return;
    }
    if (this.running !== job) return;
    Atomics.store(new Int32Array(job.cancel), 0, 1);
    // A job checks the flag between steps; one stuck in a long native run gets the worker ended.
    job.hardCancelTimer = setTimeout(() => {
      if (this.running !== job) return;
      this.options.log('warn', `job ${job.kind} did not stop within ${this.hardCancelAfterMs} ms of cancel; ending the engine worker`);
      this.restartWorker(new HostError(HostErrorCodes.Cancelled, 'cancelled (engine worker was ended)'));
    }, this.hardCancelAfterMs);
  }

  private get hardCancelAfterMs(): number {
    return this.options.hardCancelAfterMs ?? 5_000;
  }

  private pump(): void {
    if (this.running || this.queue.length === 0) return;
    const job = this.queue.shift()!;
    this.running = job;
    const message: WorkerRunMessage = { type: 'run', id: job.id, kind: job.kind, payload: job.payload, cancel: job.cancel };
    this.ensureWorker().postMessage(message);
    this.notifyBusy();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const workerPath = this.options.workerPath ?? path.join(__dirname, 'engine-worker.js');
    // The worker gets its own stdout, sent to stderr: whatever a library prints inside it must never
    // reach the process's stdout, which carries the JSON-RPC frames in `serve`.
    const worker = new Worker(workerPath, { stdout: true });
    worker.stdout.pipe(process.stderr);
    worker.on('message', (message: WorkerToHostMessage) => this.onMessage(message));
    worker.on('error', (err) => {
      this.options.log('error', `engine worker failed: ${err.stack ?? err.message}`);
      if (this.worker === worker) this.restartWorker(new HostError(-32603, `engine worker failed: ${err.message}`));
    });
    worker.on('exit', (code) => {
      if (this.worker === worker) {
        this.options.log('warn', `engine worker exited with code ${code}`);
        this.restartWorker(new HostError(-32603, `engine worker exited with code ${code}`));
      }
    });
    this.worker = worker;
    return worker;
  }

  /** Ends the current worker (if any), fails the running job with `error`, and carries on with the queue. */
  private restartWorker(error: Error): void {
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
    this.finish(this.running, (job) => job.reject(error));
    this.pump();
  }

  private finish(job: PendingJob | undefined, settle: (job: PendingJob) => void): void {
    if (!job || this.running !== job) return;
    clearTimeout(job.hardCancelTimer);
    this.running = undefined;
    settle(job);
    this.notifyBusy();
    this.pump();
  }

  private onMessage(message: WorkerToHostMessage): void {
    if (message.type === 'log') {
      this.options.log(message.level, message.message);
      return;
    }
    const job = this.running;
    if (!job || job.id !== message.id) return;
    switch (message.type) {
      case 'event':
        job.options.onEvent?.(message.event);
        break;
      case 'done':
        this.finish(job, (j) => j.resolve(message.result));
        break;
      case 'error':
        this.finish(job, (j) => {
          const err = new HostError(message.error.code ?? -32603, message.error.message, message.error.data);
          if (message.error.stack) err.stack = message.error.stack;
          j.reject(err);
        });
        break;
    }
  }

  private notifyBusy(): void {
    this.options.onBusyChange?.(this.busy, this.running?.options.label ?? this.running?.kind);
  }
}
