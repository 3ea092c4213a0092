/**
 * The status bar item: host state and device, with Restart / Show Logs links in its tooltip.
 */
import type * as vscode from 'vscode';
import type { HostClient } from '../host/host-client';
import { describeHostStatus } from './status-text';
import { t } from '../l10n';

export function createHostStatusBar(vs: typeof vscode, host: HostClient): vscode.Disposable {
  const item = vs.window.createStatusBarItem('visualCoder.hostStatus', vs.StatusBarAlignment.Right, 100);
  item.name = t('Visual Coder Model Host');
  item.command = 'visualCoder.showHostInfo';
  const render = (change: Parameters<typeof describeHostStatus>[0]) => {
    const view = describeHostStatus(change);
    item.text = view.text;
    const tooltip = new vs.MarkdownString(view.tooltip, true);
    // Trusted only for our own commands, not arbitrary command links.
    tooltip.isTrusted = { enabledCommands: ['visualCoder.restartModelHost', 'visualCoder.showLogs', 'visualCoder.showHostInfo'] };
    item.tooltip = tooltip;
    item.backgroundColor = view.error ? new vs.ThemeColor('statusBarItem.errorBackground') : undefined;
  };
  render({ state: host.state, info: host.info });
  const subscription = host.onDidChangeState(render);
  item.show();
  return { dispose: () => (subscription.dispose(), item.dispose()) };
}
