/**
 * The remote (OpenAI-compatible) backend in the editor: the commands to set the API key, pick a
 * server preset and pick a model from the server's list, and the status bar item that shows which
 * server is in use. Which backend a task uses is `settings/backend.ts`.
 */
import type * as vscode from 'vscode';
import { endpointHost, RemoteListModelsRequest } from '../../../model-host/protocol';
import type { HostClient } from '../../host/host-client';
import { SERVER_PRESETS, apiKeySecretName, describeRemoteStatus, endpointProblem } from '../../settings/remote-settings';
import { SETTING, type Settings } from '../../settings/settings';
import { t } from '../../l10n';

export interface RemoteFeatureDeps {
  vs: typeof vscode;
  host: HostClient;
  settings: Settings;
  secrets: vscode.SecretStorage;
  log: Pick<vscode.LogOutputChannel, 'info' | 'warn'>;
}

export function registerRemote(deps: RemoteFeatureDeps): vscode.Disposable[] {
  const { vs, secrets, log, host, settings } = deps;

  const setApiKey = async () => {
    const s = settings.remote;
    const problem = endpointProblem(s.endpoint);
    if (problem) {
      void vs.window.showErrorMessage(t('Visual Coder: set visualCoder.remote.endpoint first ({0}).', problem));
      return;
    }
    const host = endpointHost(s.endpoint);
    const key = await vs.window.showInputBox({
      title: t('API key for {0}', host),
      prompt: t("Stored in the editor's secret storage and sent only to {0}. Leave empty to remove the key.", new URL(s.endpoint).origin),
      password: true,
      ignoreFocusOut: true,
    });
    if (key === undefined) return;
    const name = apiKeySecretName(s.endpoint);
    if (key.trim() === '') {
      await secrets.delete(name);
      void vs.window.showInformationMessage(t('Visual Coder: removed the API key for {0}.', host));
    } else {
      await secrets.store(name, key.trim());
      void vs.window.showInformationMessage(t('Visual Coder: saved the API key for {0}.', host));
    }
    log.info(`API key for ${host} ${key.trim() ? 'saved' : 'removed'}`);
  };

  const chooseServer = async () => {
    type Item = vscode.QuickPickItem & { endpoint?: string };
    const items: Item[] = SERVER_PRESETS.map((p) => ({
      label: p.label,
      description: p.endpoint,
      detail: t('Start it: {0}', p.howToStart),
      endpoint: p.endpoint,
    }));
    items.push({ label: t('Other server…'), detail: t('Enter the base URL of any OpenAI-compatible server (ending in /v1)') });
    const picked = await vs.window.showQuickPick(items, {
      title: t('Visual Coder: OpenAI-compatible server'),
      matchOnDescription: true,
      matchOnDetail: true,
      ignoreFocusOut: true,
    });
    if (!picked) return;
    const endpoint =
      picked.endpoint ??
      (
        await vs.window.showInputBox({
          title: t('Server base URL'),
          value: settings.remote.endpoint,
          placeHolder: 'http://gpu-box:8000/v1',
          ignoreFocusOut: true,
          validateInput: (v) => endpointProblem(v.trim()),
        })
      )?.trim();
    if (!endpoint) return;
    await settings.update(SETTING.remoteEndpoint, endpoint);
    if (settings.remote.backend !== 'openai') await settings.update(SETTING.backend, 'openai');
    log.info(`remote endpoint set to ${endpoint}`);
    await chooseModel();
  };

  const chooseModel = async () => {
    const s = settings.remote;
    const problem = endpointProblem(s.endpoint);
    if (problem) {
      void vs.window.showErrorMessage(t('Visual Coder: {0}; run "Visual Coder: Choose Remote Server" first.', problem));
      return;
    }
    const apiKey = (await secrets.get(apiKeySecretName(s.endpoint))) || undefined;
    let models: string[];
    try {
      models = await vs.window.withProgress(
        { location: vs.ProgressLocation.Window, title: t('Asking {0} for its models', endpointHost(s.endpoint)) },
        async () => {
          await host.whenReady();
          return (await host.sendRequest(RemoteListModelsRequest, { endpoint: s.endpoint, apiKey })).models;
        },
      );
    } catch (err) {
      const message = (err as Error).message;
      log.warn(`listing models of ${s.endpoint} failed: ${message}`);
      const [setKey, chooseOther] = [t('Set API Key'), t('Choose Server')];
      const choice = await vs.window.showErrorMessage(t('Visual Coder: {0}', message), /API key/.test(message) ? setKey : chooseOther);
      if (choice === setKey) await setApiKey();
      else if (choice === chooseOther) await chooseServer();
      return;
    }
    if (models.length === 0) {
      void vs.window.showWarningMessage(
        t('Visual Coder: {0} lists no models; load one on the server, or set visualCoder.remote.model by hand.', endpointHost(s.endpoint)),
      );
      return;
    }
    const picked = await vs.window.showQuickPick(
      models.map((m) => ({ label: m, description: m === s.model ? 'current' : undefined })),
      { title: t('Visual Coder: model on {0}', endpointHost(s.endpoint)), ignoreFocusOut: true },
    );
    if (!picked) return;
    await settings.update(SETTING.remoteModel, picked.label);
    log.info(`remote model set to ${picked.label}`);
  };

  return [
    vs.commands.registerCommand('visualCoder.setApiKey', setApiKey),
    vs.commands.registerCommand('visualCoder.chooseRemoteServer', chooseServer),
    vs.commands.registerCommand('visualCoder.chooseRemoteModel', chooseModel),
    createRemoteStatusItem(vs, settings),
  ];
}

/** A status bar item beside the host's: the remote model and server, shown while backend = openai. */
function createRemoteStatusItem(vs: typeof vscode, settings: Settings): vscode.Disposable {
  const item = vs.window.createStatusBarItem('visualCoder.remoteStatus', vs.StatusBarAlignment.Right, 99);
  item.name = t('Visual Coder Remote Server');
  item.command = 'visualCoder.chooseRemoteModel';
  const render = () => {
    const view = describeRemoteStatus(settings.remote);
    if (!view) return void item.hide();
    item.text = view.text;
    item.tooltip = view.tooltip;
    item.show();
  };
  render();
  const watch = settings.onDidChange([SETTING.backend, SETTING.remoteEndpoint, SETTING.remoteModel], render);
  return { dispose: () => (watch.dispose(), item.dispose()) };
}
