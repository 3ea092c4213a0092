/**
 * The worker job `chat`: one OpenAI chat-completions request on the local model. The engine comes
 * from the worker's one engine cache (shared with task runs): loaded on the first request and kept;
 * a failed load is not kept, so the next request tries again.
 */
import type { JobHandler } from '../job-context';
import { localEngineFor } from '../../tasks/task-engines';
import type { ChatJobEvent, ChatJobPayload } from './chat-job-types';

export const chatJob: JobHandler = async (payload, ctx) => {
  const { settings, prompt, generation, image } = payload as ChatJobPayload;
  const engine = await localEngineFor(settings, ctx.log);
  return engine.generate(
    { prompt, generation, image: image && { ...image, png: Buffer.from(image.png, 'base64') } },
    {
      isCancelled: ctx.isCancelled,
      onText: (text) => ctx.emit({ type: 'delta', text } satisfies ChatJobEvent),
      log: ctx.log,
    },
  );
};
