/**
 * The worker job `chat`: one OpenAI chat-completions request on the local model. The engine is
 * loaded on the first request and kept (a `serve --http` process runs only these jobs, so this is
 * the only copy of the model in it); a failed load is not kept, so the next request tries again.
 */
import * as path from 'node:path';
import type { JobHandler } from '../worker/job-context';
import type { LogLevel } from '../protocol';
import type { TextEngine } from '../engines/engine';
import { loadLocalEngine } from '../engines/vlm/load-local-engine';
import { modelDirFor, type TaskHostSettings } from '../tasks/task-engines';
import { HostError } from '../worker/messages';
import { HostErrorCodes } from '../protocol';
import type { ChatJobEvent, ChatJobPayload } from './chat-job-types';

let cached: { key: string; engine: Promise<TextEngine> } | undefined;

function engineFor(settings: TaskHostSettings, log: (level: LogLevel, message: string) => void): Promise<TextEngine> {
  const dir = path.resolve(modelDirFor(settings));
  const key = `${dir}|${settings.device}`;
  if (cached?.key === key) return cached.engine;
  const previous = cached;
  const engine = (async () => {
    if (previous) await (await previous.engine.catch(() => undefined))?.dispose();
    try {
      return await loadLocalEngine(dir, settings.device, log);
    } catch (err) {
      // A folder that is not a runnable model is the server operator's to fix: say so as BadModel.
      throw err instanceof HostError ? err : new HostError(HostErrorCodes.BadModel, `Cannot load the model in ${dir}: ${(err as Error).message}`);
    }
  })();
  cached = { key, engine };
  engine.catch(() => {
    if (cached?.key === key) cached = undefined;
  });
  return engine;
}

export const chatJob: JobHandler = async (payload, ctx) => {
  const { settings, prompt, generation, image } = payload as ChatJobPayload;
  const engine = await engineFor(settings, ctx.log);
  return engine.generate(
    { prompt, generation, image: image && { ...image, png: Buffer.from(image.png, 'base64') } },
    {
      isCancelled: ctx.isCancelled,
      onText: (text) => ctx.emit({ type: 'delta', text } satisfies ChatJobEvent),
      log: ctx.log,
    },
  );
};
