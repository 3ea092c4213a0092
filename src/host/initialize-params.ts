/**
 * What the model host is started with (`host/initialize`), from the settings, and the prompt to
 * restart it when a setting it was started with changes.
 */
import type * as vscode from 'vscode';
import type { InitializeParams } from '../../model-host/protocol';
import { HOST_AFFECTING_SETTINGS, type Settings } from '../settings/settings';

export function readInitializeParams(settings: Settings, clientName: string, defaultModelsDir: string): InitializeParams {
  return {
    clientName,
    device: settings.device,
    // modelsDir and model are machine-scoped in package.json, so an untrusted workspace cannot point the host elsewhere.
    modelsDir: settings.modelsDir ?? defaultModelsDir,
    model: settings.model,
    logLevel: settings.hostLogLevel,
  };
}

/** Asks to restart the host when one of the host-affecting settings changes. */
export function watchHostSettings(
  window: Pick<typeof vscode.window, 'showInformationMessage'>,
  settings: Settings,
  restart: () => Promise<unknown>,
): vscode.Disposable {
  return settings.onDidChange(HOST_AFFECTING_SETTINGS, async (changed) => {
    const choice = await window.showInformationMessage(`Visual Coder: ${changed.join(', ')} changed. Restart the model host to apply it?`, 'Restart', 'Later');
    if (choice === 'Restart') await restart().catch(() => undefined);
  });
}
