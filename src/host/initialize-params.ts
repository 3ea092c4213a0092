/**
 * What the model host is started with (`host/initialize`), from the settings, and the prompt to
 * restart it when a setting it was started with changes.
 */
import type * as vscode from 'vscode';
import type { InitializeParams, LogLevel } from '../../model-host/protocol';
import { HOST_AFFECTING_SETTINGS, type Settings } from '../settings/settings';
import type { HostState } from './host-client';
import { t } from '../l10n';

export function readInitializeParams(settings: Settings, clientName: string, defaultModelsDir: string, logLevel: LogLevel = 'info'): InitializeParams {
  return {
    clientName,
    device: settings.device,
    // modelsDir and model are machine-scoped in package.json, so an untrusted workspace cannot point the host elsewhere.
    modelsDir: settings.modelsDir ?? defaultModelsDir,
    model: settings.model,
    logLevel,
  };
}

/**
 * Asks to restart the host when one of the host-affecting settings changes. A host that has not
 * started yet (or was stopped) reads the settings when it starts, so then there is nothing to ask.
 */
export function watchHostSettings(
  window: Pick<typeof vscode.window, 'showInformationMessage'>,
  settings: Settings,
  host: { readonly state: HostState; restart(): Promise<unknown> },
): vscode.Disposable {
  return settings.onDidChange(HOST_AFFECTING_SETTINGS, async (changed) => {
    if (host.state === 'stopped') return;
    const choice = await window.showInformationMessage(
      t('Visual Coder: {0} changed. Restart the model host to apply it?', changed.join(', ')),
      t('Restart'),
      t('Later'),
    );
    if (choice === t('Restart')) await host.restart().catch(() => undefined);
  });
}
