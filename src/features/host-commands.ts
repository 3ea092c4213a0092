/**
 * Commands about the model host itself: restart it, show the log, show what it runs on; and the
 * "gave up" message with its Restart / Show Logs buttons.
 */
import type * as vscode from 'vscode';
import type { InitializeResult } from '../../model-host/protocol';
import type { HostClient } from '../host/host-client';
import { t } from '../l10n';

/** The part of the supervisor these commands need beyond HostClient. */
export interface HostControl {
  restart(): Promise<InitializeResult>;
  readonly pid: number | undefined;
}

export interface HostCommandsDeps {
  vs: Pick<typeof vscode, 'commands' | 'window' | 'ProgressLocation'>;
  log: Pick<vscode.LogOutputChannel, 'info' | 'show'>;
  host: HostClient;
}

export function registerHostCommands(deps: HostCommandsDeps, control: HostControl): vscode.Disposable[] {
  const { vs, log, host } = deps;

  const restart = async () => {
    log.info('restart of the model host requested');
    try {
      await vs.window.withProgress({ location: vs.ProgressLocation.Window, title: t('Restarting the Visual Coder model host') }, () => control.restart());
    } catch (err) {
      void vs.window
        .showErrorMessage(t('Visual Coder: the model host did not restart: {0}', (err as Error).message), t('Show Logs'))
        .then((c) => c && log.show());
    }
  };

  return [
    vs.commands.registerCommand('visualCoder.restartModelHost', restart),
    vs.commands.registerCommand('visualCoder.showLogs', () => log.show()),
    vs.commands.registerCommand('visualCoder.showHostInfo', async () => {
      let info: InitializeResult;
      try {
        info = await host.whenReady();
      } catch (err) {
        void vs.window
          .showErrorMessage(t('Visual Coder: the model host is not running: {0}', (err as Error).message), t('Restart'), t('Show Logs'))
          .then((c) => (c === t('Restart') ? restart() : c === t('Show Logs') ? log.show() : undefined));
        return;
      }
      const text = formatHostInfo(info);
      log.info(`host info: ${text}`);
      void vs.window.showInformationMessage(text);
      return info;
    }),
    host.onDidChangeState((change) => {
      if (change.state !== 'crashed' || !change.gaveUp) return;
      void vs.window.showErrorMessage(change.reason ?? t('The Visual Coder model host crashed too often.'), t('Restart'), t('Show Logs')).then((choice) => {
        if (choice === t('Restart')) return restart();
        if (choice === t('Show Logs')) log.show();
      });
    }),
  ];
}

/** One line for the information message and the log (e2e tests read it from either). */
export function formatHostInfo(info: InitializeResult): string {
  const devices = info.devices.map((d) =>
    d.available ? `${d.kind}: available${d.detail ? ` (${d.detail})` : ''}` : `${d.kind}: unavailable (${d.reason ?? 'no reason given'})`,
  );
  const model = info.model ? `; model ${info.model.displayName}${info.model.dtype ? ` (${info.model.dtype})` : ''}` : '';
  return `Visual Coder model host ${info.version}, pid ${info.pid}, device ${info.device}${model}; devices: ${devices.join('; ')}; engines: ${info.engines.map((e) => e.id).join(', ') || 'none'}`;
}
