/**
 * The engines a task run gets inside the worker: the remote engine for `backend.kind === 'openai'`,
 * otherwise the local VLM for the active model, loaded once per (model folder, device) and kept
 * while the worker lives (loading a model takes seconds; a second task must not pay it again).
 */
import * as path from 'node:path';
import type { DeviceKind, DevicePreference, TaskRunParams } from '../protocol';
import { HostErrorCodes } from '../protocol';
import type { LogLevel } from '../protocol';
import type { TextEngine } from '../engines/engine';
import { createRemoteEngine } from '../engines/remote/remote-engine';
import { defaultStoreRoot, resolveModelDir } from '../models/store';
import { recommendedInstalledModel } from '../models/default-model';
import { HostError } from '../protocol/errors';
import type { TaskEngines } from './run-task';
import { loadLocalTextEngine } from './local-engine-loader';
import { ocrTextForPrompt, transcribeCode } from '../engines/ocr/index';

/** What the protocol thread adds to a run's params: the host's settings. */
export interface TaskHostSettings {
  /** Installed model id or absolute folder (`visualCoder.model`, `--model`); empty: see `modelDirFor`. */
  model?: string;
  modelsDir?: string;
  device: DeviceKind | DevicePreference;
}

let cached: { key: string; engine: Promise<TextEngine> } | undefined;

/**
 * Finds the model folder: the one `settings.model` names, or when it is empty the recommended
 * installed model (`recommendedInstalledModel`); fails with NoModel and what to do when there is none.
 */
export function modelDirFor(settings: TaskHostSettings): string {
  const storeDir = settings.modelsDir ?? defaultStoreRoot();
  const model = settings.model || recommendedInstalledModel(storeDir, settings.device);
  if (!model) {
    throw new HostError(HostErrorCodes.NoModel, 'No model is installed: download one with "Visual Coder: Download Model", or set visualCoder.model to an installed model id or a model folder.');
  }
  try {
    return resolveModelDir(model, storeDir);
  } catch (err) {
    throw new HostError(HostErrorCodes.NoModel, (err as Error).message);
  }
}

/**
 * Keeps one local engine per worker, shared by task runs and `serve --http` chat jobs: a different
 * model or device disposes the previous one first (memory).
 */
export async function localEngine(settings: TaskHostSettings, log: (level: LogLevel, message: string) => void): Promise<TextEngine> {
  const dir = path.resolve(modelDirFor(settings));
  const key = `${dir}|${settings.device}`;
  if (cached?.key === key) return cached.engine;
  if (!settings.model) log('info', `no model is set: using the recommended installed one, ${dir}`);
  const previous = cached;
  const engine = (async () => {
    if (previous) await (await previous.engine.catch(() => undefined))?.dispose();
    return loadLocalTextEngine(dir, settings.device, log);
  })();
  cached = { key, engine };
  // A failed load must not be cached: the next run (after the user fixes the folder) tries again.
  engine.catch(() => {
    if (cached?.key === key) cached = undefined;
  });
  return engine;
}

export function taskEnginesFor(settings: TaskHostSettings, log: (level: LogLevel, message: string) => void): TaskEngines {
  return {
    async textEngine(params: TaskRunParams) {
      if (params.backend?.kind === 'openai') {
        try {
          return createRemoteEngine(params.backend);
        } catch (err) {
          throw new HostError(HostErrorCodes.Remote, (err as Error).message);
        }
      }
      return localEngine(settings, log);
    },
    async transcribeCode(image) {
      const result = await transcribeCode(image);
      if (!result.code && result.message) log('info', result.message);
      return { text: result.code, lines: result.lines, language: result.language };
    },
    ocrTextForPrompt,
  };
}
