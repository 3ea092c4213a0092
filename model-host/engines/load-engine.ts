/**
 * Entry point of the local VLM engine for the task runner and the CLI: looks at the folder and
 * returns a ready `TextEngine` on the best device it could open (falling back to cpu, logged).
 */
import type { DeviceKind, DevicePreference, LogLevel } from '../protocol';
import type { TextEngine } from './engine';
import { DeepseekVlEngine } from './deepseek-vl/engine';
import { detectModelFolder, ModelFolderError } from './model-folder';
import { TransformersVlmEngine } from './transformers/engine';

export async function loadLocalEngine(
  modelDir: string,
  device: DevicePreference | DeviceKind,
  log: (level: LogLevel, message: string) => void,
): Promise<TextEngine> {
  const kind = detectModelFolder(modelDir);
  switch (kind) {
    case 'deepseek-vl':
      return DeepseekVlEngine.load(modelDir, device, log);
    case 'hf-checkpoint':
      throw new ModelFolderError(`${modelDir} is an unconverted DeepSeek-VL checkpoint; run \`model-host convert --from ${modelDir} --to OUT\` and load OUT`);
    case 'janus':
    case 'qwen2-vl':
      return TransformersVlmEngine.load(modelDir, kind, device, log);
  }
}
