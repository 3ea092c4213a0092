/**
 * The worker job `task`: runs a task run in the engine worker (inference blocks its thread) and
 * streams each text delta to the protocol thread as an event.
 */
import type { JobHandler } from '../job-context';
import type { TaskRunParams } from '../../protocol';
import { runTask } from '../../tasks/run-task';
import { taskEnginesFor } from '../../tasks/task-engines';
import type { ModelSettings } from '../../models/resolve-model';

export interface TaskJobPayload {
  params: TaskRunParams;
  settings: ModelSettings;
}

/** Event the job emits per piece of text. */
export interface TaskDeltaEvent {
  type: 'delta';
  text: string;
}

export const taskJob: JobHandler = async (payload, ctx) => {
  const { params, settings } = payload as TaskJobPayload;
  return runTask(params, taskEnginesFor(settings, ctx.log), {
    isCancelled: ctx.isCancelled,
    onText: (text) => ctx.emit({ type: 'delta', text } satisfies TaskDeltaEvent),
    log: ctx.log,
  });
};
