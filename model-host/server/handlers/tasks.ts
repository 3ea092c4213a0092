/** task/list and task/run: the registry for quick picks, and runs forwarded to the engine worker. */
import * as rpc from 'vscode-jsonrpc';
import { HostErrorCodes, TaskDeltaNotification, TaskListRequest, TaskRunRequest, type TaskRunResult } from '../../protocol';
import type { HandlerModule } from '../host-services';
import { cancellationSignal } from '../cancellation';
import { listTasks } from '../../tasks/registry';
import type { TaskDeltaEvent, TaskJobPayload } from '../../worker/jobs/task-job';

export const registerTaskHandlers: HandlerModule = (services) => {
  const { connection } = services;

  connection.onRequest(TaskListRequest, () => listTasks());

  connection.onRequest(TaskRunRequest, async (params, token) => {
    if (!params || typeof params.taskId !== 'string' || typeof params.runId !== 'string' || !params.image) {
      throw new rpc.ResponseError(rpc.ErrorCodes.InvalidParams, 'task/run needs runId, taskId and image ({path} or {base64})');
    }
    const payload: TaskJobPayload = {
      params,
      settings: { model: services.settings.model, modelsDir: services.settings.modelsDir, device: services.device },
    };
    try {
      return await services.worker.run<TaskRunResult>(
        'task',
        payload,
        {
          label: params.taskId,
          onEvent: (event) => {
            const e = event as TaskDeltaEvent;
            if (e?.type === 'delta') void connection.sendNotification(TaskDeltaNotification, { runId: params.runId, text: e.text });
          },
        },
        cancellationSignal(token),
      );
    } catch (err) {
      const e = err as Error & { code?: number };
      throw new rpc.ResponseError(e.code ?? HostErrorCodes.Cancelled, e.message);
    }
  });
};
