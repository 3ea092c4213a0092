/**
 * Applies `visualCoder.model` to the running host when it changes outside *Select Model* (the user
 * edits settings.json or the Settings UI): through `models/select`, which takes effect on the next
 * task, so the host is not restarted. An empty value asks the host for the recommended installed
 * model. A host that is not running needs nothing: it reads the setting when it starts.
 */
import type * as vscode from 'vscode';
import { HostErrorCodes, ModelsSelectRequest } from '../../model-host/protocol';
import type { FeatureDeps } from './feature-deps';

/**
 * `isOwnWrite(value)` is true when *Select Model* wrote this value right after selecting it on the
 * host itself; then there is nothing left to apply.
 */
export function watchModelSetting(deps: FeatureDeps, isOwnWrite: (value: string) => boolean): vscode.Disposable {
  const { vs, host, log } = deps;
  return vs.workspace.onDidChangeConfiguration(async (event) => {
    if (!event.affectsConfiguration('visualCoder.model')) return;
    const value = vs.workspace.getConfiguration('visualCoder').get<string>('model', '').trim();
    if (isOwnWrite(value)) return;
    // A stopped or crashed host reads the setting when it starts again; a starting one is waited for.
    if (host.state === 'stopped' || host.state === 'crashed') return;
    try {
      const { model } = await host.sendRequest(ModelsSelectRequest, { id: value });
      log.info(value ? `visualCoder.model changed: the next task uses ${model.displayName} (${model.dir})` : `visualCoder.model is empty: tasks use the recommended installed model ${model.displayName} (${model.dir})`);
    } catch (err) {
      const e = err as Error & { code?: number };
      if (!value && e.code === HostErrorCodes.NoModel) {
        log.info('visualCoder.model is empty and no model is installed: a task will offer a download');
        return;
      }
      log.warn(`visualCoder.model "${value}" was not applied: ${e.message}`);
      void vs.window.showWarningMessage(`Visual Coder: ${e.message}. The model host keeps the model it had.`);
    }
  });
}
