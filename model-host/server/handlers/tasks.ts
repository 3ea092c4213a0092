/** task/list and task/run: the registry for quick picks, and runs forwarded to the engine worker. */
import { TaskDeltaNotification, TaskListRequest, TaskRunRequest, type TaskRunResult } from '../../protocol';
import type { HandlerModule } from '../host-services';
import { cancellationSignal } from '../cancellation';
import { onRequest, onRequest0 } from '../requests';
import { validatorFor } from '../../protocol/validate';
import { listTasks } from '../../tasks/registry';
import type { TaskDeltaEvent, TaskJobPayload } from '../../worker/jobs/task-job';

export const registerTaskHandlers: HandlerModule = (services) => {
  const { connection } = services;

  onRequest0(connection, TaskListRequest, () => listTasks());

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
