/**
 * What an empty `visualCoder.model` means: the installed model recommended for the device the host
 * runs on. Shared by the task runner (which loads it) and `models/select` (which reports it).
 */
import * as os from 'node:os';
import { GPU_DEVICE_KINDS, type DeviceInfo, type DeviceKind, type DevicePreference } from '../protocol';
import { PRESETS, recommend } from './registry';
import { defaultInstalledModel } from './store';

/**
 * The order installed models are tried in: the preset recommended for `device` (the rule of
 * `models list`; GPU memory unknown, so a GPU counts as 8 GB), then the other presets as listed.
 */
export function preferredModels(device: DeviceKind | DevicePreference): string[] {
  const devices: DeviceInfo[] = (GPU_DEVICE_KINDS as readonly string[]).includes(device) ? [{ kind: device as DeviceKind, available: true }] : [];
  const recommended = recommend(devices, undefined, os.totalmem() / 1e9).id;
  return [recommended, ...PRESETS.map((p) => p.id).filter((id) => id !== recommended)];
}

/**
 * The installed model an empty `visualCoder.model` stands for: the first of `preferredModels` that
 * is completely installed, else the first installed model by id; undefined when none is installed.
 */
export function recommendedInstalledModel(storeDir: string, device: DeviceKind | DevicePreference): string | undefined {
  return defaultInstalledModel(storeDir, preferredModels(device));
}
