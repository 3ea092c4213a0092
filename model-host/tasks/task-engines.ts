/**
 * The engines a task run gets inside the worker: the remote engine for `backend.kind === 'openai'`,
 * otherwise the local VLM for the active model (the worker's cached engine), and OCR.
 */
import type { TaskRunParams } from '../protocol';
import { HostErrorCodes } from '../protocol';
import type { LogLevel } from '../protocol';
import { createRemoteEngine } from '../engines/remote/remote-engine';
import { cachedLocalEngine } from '../engines/engine-cache';
import { modelDirFor, type ModelSettings } from '../models/resolve-model';
import { HostError } from '../protocol/errors';
import type { TaskEngines } from './run-task';
import { ocrTextForPrompt, transcribeCode } from '../engines/ocr/index';

/** The worker's local engine for the host's settings (see `engines/engine-cache.ts`). */
export function localEngineFor(settings: ModelSettings, log: (level: LogLevel, message: string) => void) {
  const dir = modelDirFor(settings);
  if (!settings.model) log('info', `no model is set: using the recommended installed one, ${dir}`);
  return cachedLocalEngine(dir, settings.device, log);
}

export function taskEnginesFor(settings: ModelSettings, log: (level: LogLevel, message: string) => void): TaskEngines {
  return {
    async textEngine(params: TaskRunParams) {
      if (params.backend?.kind === 'openai') {
        try {
          return createRemoteEngine(params.backend);
        } catch (err) {
          throw new HostError(HostErrorCodes.Remote, (err as Error).message);
        }
      }
      return localEngineFor(settings, log);
    },
    async transcribeCode(image, options) {
      const result = await transcribeCode(image, options);
      if (!result.code && result.message) log('info', result.message);
      return { text: result.code, lines: result.lines, language: result.language };
    },
    ocrTextForPrompt,
  };
}
