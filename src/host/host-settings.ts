/**
 * The settings that shape the model host, read from VS Code's configuration. Takes the `vscode`
 * API as a parameter (type-only import) so it stays testable without VS Code.
 */
import type * as vscode from 'vscode';
import { DEVICE_PREFERENCES, type DevicePreference, type InitializeParams, type LogLevel } from '../../model-host/protocol';

/**
 * Settings whose change needs a host restart to take effect. Not `visualCoder.model`: the running
 * host takes it through `models/select` (`src/features/model-setting.ts`).
 */
export const HOST_AFFECTING_SETTINGS = ['visualCoder.device', 'visualCoder.modelsDir', 'visualCoder.hostLogLevel'] as const;

const LOG_LEVELS: LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];

export function readInitializeParams(vs: typeof vscode, defaultModelsDir: string): InitializeParams {
  const config = vs.workspace.getConfiguration('visualCoder');
  const device = config.get<string>('device', 'auto');
  const logLevel = config.get<string>('hostLogLevel', 'info');
  // modelsDir is machine-scoped in package.json, so an untrusted workspace cannot point the host elsewhere.
  const modelsDir = config.get<string>('modelsDir', '').trim();
  const model = config.get<string>('model', '').trim();
  return {
    clientName: `${vs.env.appName} ${vs.version}`,
    device: (DEVICE_PREFERENCES as readonly string[]).includes(device) ? (device as DevicePreference) : 'auto',
    modelsDir: modelsDir || defaultModelsDir,
    model: model || undefined,
    logLevel: (LOG_LEVELS as string[]).includes(logLevel) ? (logLevel as LogLevel) : 'info',
  };
}

/** Asks to restart the host when one of the host-affecting settings changes. */
export function watchHostSettings(vs: typeof vscode, restart: () => Promise<unknown>): vscode.Disposable {
  return vs.workspace.onDidChangeConfiguration(async (event) => {
    const changed = HOST_AFFECTING_SETTINGS.filter((s) => event.affectsConfiguration(s));
    if (changed.length === 0) return;
    const choice = await vs.window.showInformationMessage(
      `Visual Coder: ${changed.join(', ')} changed. Restart the model host to apply it?`,
      'Restart',
      'Later',
    );
    if (choice === 'Restart') await restart().catch(() => undefined);
  });
}
