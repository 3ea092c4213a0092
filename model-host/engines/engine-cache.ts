/**
 * The worker's one local engine, shared by task runs and `serve --http` chat jobs: loaded once per
 * (model folder, device) and kept while the worker lives (loading a model takes seconds; a second
 * run must not pay it again). A different folder or device disposes the previous engine first
 * (memory); a failed load is not kept, so the next run (after the user fixes the folder) tries again.
 */
import * as path from 'node:path';
import type { DeviceKind, DevicePreference } from '../protocol';
import type { TextEngine } from './engine';
import { type EngineLog, loadLocalEngine } from './load-engine';

let cached: { key: string; engine: Promise<TextEngine> } | undefined;

export function cachedLocalEngine(modelDir: string, device: DevicePreference | DeviceKind, log: EngineLog): Promise<TextEngine> {
  const dir = path.resolve(modelDir);
  const key = `${dir}|${device}`;
  if (cached?.key === key) return cached.engine;
  const previous = cached;
  const engine = (async () => {
    if (previous) await (await previous.engine.catch(() => undefined))?.dispose();
    return loadLocalEngine(dir, device, log);
  })();
  cached = { key, engine };
  engine.catch(() => {
    if (cached?.key === key) cached = undefined;
  });
  return engine;
}
