/**
 * The worker job `chat`: one OpenAI chat-completions request on the local model. It shares the
 * task runner's engine cache, so serving HTTP and running tasks never load the model twice.
 */
import type { JobHandler } from '../worker/job-context';
import type { TaskRunParams } from '../protocol';
import { taskEnginesFor } from '../tasks/task-engines';
import type { ChatJobEvent, ChatJobPayload } from './chat-job-types';

/** The local engine is what a task run without a remote backend gets. */
const LOCAL_RUN: TaskRunParams = { runId: 'http', taskId: 'chat', image: {} };

export const chatJob: JobHandler = async (payload, ctx) => {
  const { settings, prompt, generation, image } = payload as ChatJobPayload;
  const engine = await taskEnginesFor(settings, ctx.log).textEngine(LOCAL_RUN);
  return engine.generate(
    { prompt, generation, image: image && { ...image, png: Buffer.from(image.png, 'base64') } },
    {
      isCancelled: ctx.isCancelled,
      onText: (text) => ctx.emit({ type: 'delta', text } satisfies ChatJobEvent),
      log: ctx.log,
    },
  );
};
