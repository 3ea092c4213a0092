/**
 * The extension's one reader of its settings (`visualCoder.*`), with the keys as constants, typed
 * values and their defaults, and the remembered choices (last stack, library…) in global state. Every
 * feature reads settings through a `Settings` object handed to it; nothing else calls
 * `getConfiguration`. It takes the `vscode` API as a parameter (type-only import) so it is unit-tested
 * in plain Node.
 */
import type * as vscode from 'vscode';
import {
  DEVICE_PREFERENCES,
  MODEL_DTYPES,
  readCustomStacks,
  type CustomStackEntries,
  type DevicePreference,
  type GenerationOptions,
  type ModelDtypePreference,
} from '../../model-host/protocol';
import { readRemoteSettings, type RemoteSettings } from './remote-settings';

export const SECTION = 'visualCoder';

/** Every setting the extension reads or writes, by its full key. */
export const SETTING = {
  output: 'visualCoder.output',
  ocrAugmentedPrompts: 'visualCoder.ocrAugmentedPrompts',
  copyCodeRegion: 'visualCoder.copyCode.region',
  maxNewTokens: 'visualCoder.maxNewTokens',
  device: 'visualCoder.device',
  modelsDir: 'visualCoder.modelsDir',
  modelDtype: 'visualCoder.modelDtype',
  model: 'visualCoder.model',
  backend: 'visualCoder.backend',
  remoteEndpoint: 'visualCoder.remote.endpoint',
  remoteModel: 'visualCoder.remote.model',
  remoteMaxImageSide: 'visualCoder.remote.maxImageSide',
  customStacks: 'visualCoder.customStacks',
} as const;
export type SettingKey = (typeof SETTING)[keyof typeof SETTING];

/**
 * Settings whose change needs a host restart to take effect. Not `visualCoder.model`: the running
 * host takes it through `models/select` (`features/models/model-setting.ts`).
 */
export const HOST_AFFECTING_SETTINGS: readonly SettingKey[] = [SETTING.device, SETTING.modelsDir];

export type OutputPlacement = 'newEditor' | 'cursor';

/** The slice of the `vscode` API settings need. */
export interface SettingsApi {
  workspace: Pick<typeof vscode.workspace, 'getConfiguration' | 'onDidChangeConfiguration'>;
  ConfigurationTarget?: typeof vscode.ConfigurationTarget;
}

const short = (key: SettingKey) => key.slice(SECTION.length + 1);

export class Settings {
  constructor(
    private readonly vs: SettingsApi,
    /** Where remembered choices live (the extension's global state). */
    private readonly state?: Pick<vscode.Memento, 'get' | 'update'>,
  ) {}

  private read<T>(key: SettingKey, fallback: T): T {
    return this.vs.workspace.getConfiguration(SECTION).get<T>(short(key), fallback) ?? fallback;
  }

  private text(key: SettingKey): string | undefined {
    return String(this.read<string>(key, '') ?? '').trim() || undefined;
  }

  get output(): OutputPlacement {
    return this.read<string>(SETTING.output, 'newEditor') === 'cursor' ? 'cursor' : 'newEditor';
  }

  /** What Copy Code from Image copies from a screenshot of a page: the largest code block, or all its text. */
  get copyCodeRegion(): 'code' | 'all' {
    return this.read<string>(SETTING.copyCodeRegion, 'code') === 'all' ? 'all' : 'code';
  }

  get ocrAugment(): boolean {
    return this.read<boolean>(SETTING.ocrAugmentedPrompts, true) !== false;
  }

  /** Generation options every task run sends (the token bound). */
  get generation(): GenerationOptions {
    const n = Number(this.read<number>(SETTING.maxNewTokens, 0));
    return Number.isInteger(n) && n > 0 ? { maxNewTokens: n } : {};
  }

  get device(): DevicePreference {
    const value = this.read<string>(SETTING.device, 'auto');
    return (DEVICE_PREFERENCES as readonly string[]).includes(value) ? (value as DevicePreference) : 'auto';
  }

  /** What a downloaded DeepSeek-VL checkpoint is converted to (`auto`: what fits the device). */
  get modelDtype(): ModelDtypePreference {
    const value = this.read<string>(SETTING.modelDtype, 'auto');
    return (MODEL_DTYPES as readonly string[]).includes(value) ? (value as ModelDtypePreference) : 'auto';
  }

  /** The models folder the user set; undefined means the extension's storage. */
  get modelsDir(): string | undefined {
    return this.text(SETTING.modelsDir);
  }

  /** The active model (an installed id or a folder); undefined means the recommended installed one. */
  get model(): string | undefined {
    return this.text(SETTING.model);
  }

  /** The user's own stacks for Screenshot to Code, and a sentence for each entry that cannot be used. */
  get customStacks(): CustomStackEntries {
    return readCustomStacks(this.read<unknown>(SETTING.customStacks, []));
  }

  get remote(): RemoteSettings {
    return readRemoteSettings({ get: <T>(key: string, fallback: T) => this.vs.workspace.getConfiguration(SECTION).get<T>(key, fallback) ?? fallback });
  }

  /** VS Code's own `http.proxy`, for requests the host makes on the user's behalf. */
  get httpProxy(): string | undefined {
    return String(this.vs.workspace.getConfiguration('http').get<string>('proxy', '') ?? '').trim() || undefined;
  }

  /** Writes a setting in the user settings (machine-scoped ones included). */
  async update(key: SettingKey, value: unknown): Promise<void> {
    await this.vs.workspace.getConfiguration(SECTION).update(short(key), value, this.vs.ConfigurationTarget?.Global ?? true);
  }

  /** Calls `listener` with the keys among `keys` that a configuration change touched. */
  onDidChange(keys: readonly SettingKey[], listener: (changed: SettingKey[]) => unknown): vscode.Disposable {
    return this.vs.workspace.onDidChangeConfiguration((event) => {
      const changed = keys.filter((k) => event.affectsConfiguration(k));
      if (changed.length) return listener(changed);
    });
  }

  /** The choice last made for a task's option (stack, library…), remembered across sessions. */
  lastChoice(taskId: string, option: string): string | undefined {
    return this.state?.get<string>(lastChoiceKey(taskId, option));
  }

  async rememberChoice(taskId: string, option: string, choice: string): Promise<void> {
    await this.state?.update(lastChoiceKey(taskId, option), choice);
  }
}

/** The global-state key of a remembered choice (kept stable: users' choices survive updates). */
export function lastChoiceKey(taskId: string, option: string): string {
  return `visualCoder.lastChoice.${taskId}.${option}`;
}
