/**
 * The one place the task runner reaches the local VLM engine (`loadLocalEngine`). Kept apart so
 * the runner and its tests do not pull ONNX Runtime in; a folder the engine cannot use becomes
 * BadModel with the engine's own explanation.
 */
import type { DeviceKind, DevicePreference, LogLevel } from '../protocol';
import { HostErrorCodes } from '../protocol';
import type { TextEngine } from '../engines/engine';
import { loadLocalEngine } from '../engines/load-engine';
import { ModelFolderError } from '../engines/model-folder';
import { HostError } from '../protocol/errors';

export async function loadLocalTextEngine(dir: string, device: DevicePreference | DeviceKind, log: (level: LogLevel, message: string) => void): Promise<TextEngine> {
  try {
    return await loadLocalEngine(dir, device, log);
  } catch (err) {
    if (err instanceof ModelFolderError) throw new HostError(HostErrorCodes.BadModel, err.message);
    throw err;
  }
}
