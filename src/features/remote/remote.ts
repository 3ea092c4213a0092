/**
 * The remote (OpenAI-compatible) backend in the editor: the commands to set the API key, pick a
 * server preset and pick a model from the server's list, and the status bar item that shows which
 * server is in use. Which backend a task uses is `settings/backend.ts`.
 */
import type * as vscode from 'vscode';
import { endpointHost, RemoteListModelsRequest, RemoteProbeVisionRequest, type RemoteModelInfo } from '../../../model-host/protocol';
import { mergeProbe, remoteModelPicks } from './remote-model-picks';
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
    let details: RemoteModelInfo[];
    try {
      details = await vs.window.withProgress(
        { location: vs.ProgressLocation.Window, title: t('Asking {0} for its models', endpointHost(s.endpoint)) },
        async () => {
          await host.whenReady();
          return (await host.sendRequest(RemoteListModelsRequest, { endpoint: s.endpoint, apiKey })).details;
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
    if (details.length === 0) {
      void vs.window.showWarningMessage(
        t('Visual Coder: {0} lists no models; load one on the server, or set visualCoder.remote.model by hand.', endpointHost(s.endpoint)),
      );
      return;
    }
    for (;;) {
      const picked = await vs.window.showQuickPick(remoteModelPicks(details, s.model), {
        title: t('Visual Coder: model on {0}', endpointHost(s.endpoint)),
        placeHolder: t('Image tasks need a model that reads images'),
        ignoreFocusOut: true,
        matchOnDescription: true,
      });
      if (!picked) return;
      if (picked.probe) {
        details = await probeUnknown(details, s.endpoint, apiKey);
        continue;
      }
      if (!picked.model) return;
      await settings.update(SETTING.remoteModel, picked.model);
      log.info(`remote model set to ${picked.model}`);
      if (details.find((d) => d.id === picked.model)?.vision === 'no') {
        void vs.window.showWarningMessage(t('Visual Coder: {0} says it cannot read images; image tasks will fail with it.', picked.model));
      }
      return;
    }
  };

  /** Asks the unknown models with a one-pixel image, under a cancellable progress notification. */
  const probeUnknown = async (details: RemoteModelInfo[], endpoint: string, apiKey: string | undefined): Promise<RemoteModelInfo[]> => {
    const unknown = details.filter((d) => d.vision === 'unknown').map((d) => d.id);
    try {
      const probed = await vs.window.withProgress(
        { location: vs.ProgressLocation.Notification, title: t('Sending {0} model(s) a one-pixel image', unknown.length), cancellable: true },
        (_progress, token) => host.sendRequest(RemoteProbeVisionRequest, { endpoint, apiKey, models: unknown }, token),
      );
      log.info(`vision probe of ${endpoint}: ${probed.details.map((d) => `${d.id}=${d.vision}`).join(', ')}`);
      return mergeProbe(details, probed.details);
    } catch (err) {
      log.warn(`vision probe of ${endpoint} failed: ${(err as Error).message}`);
      return details;
    }
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
