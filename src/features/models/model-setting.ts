/**
 * Applies `visualCoder.model` to the running host when it changes outside *Select Model* (the user
 * edits settings.json or the Settings UI): through `models/select`, which takes effect on the next
 * task, so the host is not restarted. An empty value asks the host for the recommended installed
 * model. A host that is not running needs nothing: it reads the setting when it starts.
 */
import type * as vscode from 'vscode';
import { HostErrorCodes, hostErrorCode, ModelsSelectRequest } from '../../../model-host/protocol';
import type { HostClient } from '../../host/host-client';
import { SETTING, type Settings } from '../../settings/settings';
import { t } from '../../l10n';

export interface ModelSettingDeps {
  window: Pick<typeof vscode.window, 'showWarningMessage'>;
  settings: Settings;
  host: HostClient;
  log: Pick<vscode.LogOutputChannel, 'info' | 'warn'>;
}

/**
 * `isOwnWrite(value)` is true when *Select Model* wrote this value right after selecting it on the
 * host itself; then there is nothing left to apply.
 */
export function watchModelSetting(deps: ModelSettingDeps, isOwnWrite: (value: string) => boolean): vscode.Disposable {
  const { window, settings, host, log } = deps;
  return settings.onDidChange([SETTING.model], async () => {
    const value = settings.model ?? '';
    if (isOwnWrite(value)) return;
    // A stopped or crashed host reads the setting when it starts again; a starting one is waited for.
    if (host.state === 'stopped' || host.state === 'crashed') return;
    try {
      const { model } = await host.sendRequest(ModelsSelectRequest, { id: value });
      log.info(
        value
          ? `visualCoder.model changed: the next task uses ${model.displayName} (${model.dir})`
          : `visualCoder.model is empty: tasks use the recommended installed model ${model.displayName} (${model.dir})`,
      );
    } catch (err) {
      const message = (err as Error).message;
      if (!value && hostErrorCode(err) === HostErrorCodes.NoModel) {
        log.info('visualCoder.model is empty and no model is installed: a task will offer a download');
        return;
      }
      log.warn(`visualCoder.model "${value}" was not applied: ${message}`);
      void window.showWarningMessage(t('Visual Coder: {0}. The model host keeps the model it had.', message));
    }
  });
}
