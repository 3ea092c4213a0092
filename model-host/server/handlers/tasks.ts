/** task/list and task/run: the registry for quick picks, and runs forwarded to the engine worker. */
import { HostErrorCodes, TaskDeltaNotification, TaskListRequest, TaskRunRequest, type TaskRunResult } from '../../protocol';
import type { HandlerModule } from '../host-services';
import { cancellationSignal } from '../cancellation';
import { onRequest } from '../requests';
import { validatorFor } from '../../protocol/validate';
import { listTasks, UnknownTaskError } from '../../tasks/registry';
import { HostError } from '../../protocol/errors';
import type { TaskDeltaEvent, TaskJobPayload } from '../../worker/jobs/task-job';

export const registerTaskHandlers: HandlerModule = (services) => {
  const { connection } = services;

  onRequest(
    connection,
    TaskListRequest,
    (params) => {
      try {
        return listTasks(params?.customStacks);
      } catch (err) {
        if (err instanceof UnknownTaskError) throw new HostError(HostErrorCodes.InvalidParams, err.message, { field: 'customStacks' });
        throw err;
      }
    },
    validatorFor('task/list'),
  );

  onRequest(
    connection,
    TaskRunRequest,
    async (params, token) => {
      const payload: TaskJobPayload = {
        params,
        settings: { model: services.settings.model, modelsDir: services.settings.modelsDir, device: services.device },
      };
      return services.worker.run<TaskRunResult>(
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
    },
    validatorFor('task/run'),
  );
};
