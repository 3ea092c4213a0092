/**
 * Runs a task on the model host and hands each streamed delta to the caller. No VS Code here: the
 * commands, the panel and the inline actions all use it with their own sinks.
 */
import type { CancellationToken } from 'vscode-jsonrpc';
import { randomUUID } from 'node:crypto';
import { TaskDeltaNotification, TaskRunRequest, type TaskRunParams, type TaskRunResult } from '../../model-host/protocol';
import type { HostClient } from '../host/host-client';

export type TaskRunRequestParams = Omit<TaskRunParams, 'runId'>;

/** Starts the host if needed, runs the task, calls `onDelta` for each piece of raw text in order. */
export async function runTaskOnHost(host: HostClient, params: TaskRunRequestParams, onDelta: (text: string) => void, token?: CancellationToken): Promise<TaskRunResult> {
  await host.whenReady();
  const runId = randomUUID();
  const subscription = host.onNotification(TaskDeltaNotification, (delta) => {
    if (delta.runId === runId) onDelta(delta.text);
  });
  try {
    return await host.sendRequest(TaskRunRequest, { ...params, runId }, token);
  } finally {
    subscription.dispose();
  }
}

/** The JSON-RPC error code of a failed request, if it has one. */
export function errorCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}
