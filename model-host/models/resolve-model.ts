/**
 * Which model folder a run uses: the one the settings name (an installed id or a folder), or when
 * none is named the recommended installed model; NoModel with what to do when there is none.
 */
import type { DeviceKind, DevicePreference } from '../protocol';
import { HostError, HostErrorCodes } from '../protocol/errors';
import { defaultStoreRoot, resolveModelDir } from './store';
import { recommendedInstalledModel } from './default-model';

/** What the protocol thread adds to a run's params: the host's settings. */
export interface ModelSettings {
  /** Installed model id or absolute folder (`visualCoder.model`, `--model`); empty: the recommended installed one. */
  model?: string;
  modelsDir?: string;
  device: DeviceKind | DevicePreference;
}

export function modelDirFor(settings: ModelSettings): string {
  const storeDir = settings.modelsDir ?? defaultStoreRoot();
  const model = settings.model || recommendedInstalledModel(storeDir, settings.device);
  if (!model) {
    throw new HostError(
      HostErrorCodes.NoModel,
      'No model is installed: download one with "Visual Coder: Download Model", or set visualCoder.model to an installed model id or a model folder.',
    );
  }
  try {
    return resolveModelDir(model, storeDir);
  } catch (err) {
    throw new HostError(HostErrorCodes.NoModel, (err as Error).message);
  }
}
