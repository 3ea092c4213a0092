/**
 * The one way a local engine is loaded: look at the folder, return a ready `TextEngine` on the best
 * device it could open (falling back to cpu, logged). A folder no engine can use is BadModel with the
 * engine's own explanation.
 */
import type { DeviceKind, DevicePreference, LogLevel } from '../protocol';
import { HostError, HostErrorCodes } from '../protocol/errors';
import type { TextEngine } from './engine';
import { DeepseekVlEngine } from './deepseek-vl/engine';
import { detectModelFolder, ModelFolderError } from './model-folder';
import { TransformersVlmEngine } from './transformers/engine';

export type EngineLog = (level: LogLevel, message: string) => void;

export async function loadLocalEngine(modelDir: string, device: DevicePreference | DeviceKind, log: EngineLog): Promise<TextEngine> {
  try {
    const kind = detectModelFolder(modelDir);
    switch (kind) {
      case 'deepseek-vl':
        return await DeepseekVlEngine.load(modelDir, device, log);
      case 'hf-checkpoint':
        throw new ModelFolderError(`${modelDir} is an unconverted DeepSeek-VL checkpoint; run \`model-host convert --from ${modelDir} --to OUT\` and load OUT`);
      case 'janus':
      case 'qwen2-vl':
        return await TransformersVlmEngine.load(modelDir, kind, device, log);
    }
  } catch (err) {
    if (err instanceof ModelFolderError) throw new HostError(HostErrorCodes.BadModel, err.message);
    throw err;
  }
}
