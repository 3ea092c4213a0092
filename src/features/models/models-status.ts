/**
 * A status bar item naming the active model (`visualCoder.model`); a click opens Select Model.
 * Beside the host's own item, which shows device and state.
 */
import type * as vscode from 'vscode';
import { SETTING, type Settings } from '../../settings/settings';
import { t } from '../../l10n';

/** Short name for the status bar: a preset's id, a hub id's last part, or a folder's base name. */
export function modelStatusText(model: string | undefined): string {
  if (!model) return '$(package) No model';
  const name = model.split(/[\\/]/).filter(Boolean).pop() ?? model;
  return `$(package) ${name.replace(/^.*--/, '')}`;
}

export function createModelStatusItem(vs: Pick<typeof vscode, 'window' | 'StatusBarAlignment'>, settings: Settings): vscode.Disposable {
  const item = vs.window.createStatusBarItem('visualCoder.activeModel', vs.StatusBarAlignment.Right, 99);
  item.name = t('Visual Coder Model');
  item.command = 'visualCoder.selectModel';
  const render = () => {
    const model = settings.model;
    item.text = modelStatusText(model);
    item.tooltip = model ? `Visual Coder model: ${model} (click to change)` : 'Visual Coder has no model yet: click to choose and download one';
  };
  render();
  item.show();
  const watch = settings.onDidChange([SETTING.model], render);
  return { dispose: () => (watch.dispose(), item.dispose()) };
}
