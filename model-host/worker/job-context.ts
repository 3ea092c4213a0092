import type { LogLevel } from '../protocol';

/** What a job running in the worker can do besides computing: stream events, check for cancel, log. */
export interface JobContext {
  /** True once the client cancelled; checked between decode steps. */
  isCancelled(): boolean;
  /** Sends an event (e.g. a text delta) to the protocol thread, which forwards it as a notification. */
  emit(event: unknown): void;
  log(level: LogLevel, message: string): void;
}

export type JobHandler = (payload: unknown, ctx: JobContext) => Promise<unknown>;
