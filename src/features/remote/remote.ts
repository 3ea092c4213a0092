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
      void vs.window.showErrorMessage(`Visual Coder: set visualCoder.remote.endpoint first (${problem}).`);
      return;
    }
    const host = endpointHost(s.endpoint);
    const key = await vs.window.showInputBox({
      title: `API key for ${host}`,
      prompt: `Stored in the editor's secret storage and sent only to ${new URL(s.endpoint).origin}. Leave empty to remove the key.`,
      password: true,
      ignoreFocusOut: true,
    });
    if (key === undefined) return;
    const name = apiKeySecretName(s.endpoint);
    if (key.trim() === '') {
      await secrets.delete(name);
      void vs.window.showInformationMessage(`Visual Coder: removed the API key for ${host}.`);
    } else {
      await secrets.store(name, key.trim());
      void vs.window.showInformationMessage(`Visual Coder: saved the API key for ${host}.`);
    }
    log.info(`API key for ${host} ${key.trim() ? 'saved' : 'removed'}`);
  };

  const chooseServer = async () => {
    type Item = vscode.QuickPickItem & { endpoint?: string };
    const items: Item[] = SERVER_PRESETS.map((p) => ({ label: p.label, description: p.endpoint, detail: `Start it: ${p.howToStart}`, endpoint: p.endpoint }));
    items.push({ label: 'Other server…', detail: 'Enter the base URL of any OpenAI-compatible server (ending in /v1)' });
    const picked = await vs.window.showQuickPick(items, {
      title: 'Visual Coder: OpenAI-compatible server',
      matchOnDescription: true,
      matchOnDetail: true,
      ignoreFocusOut: true,
    });
    if (!picked) return;
    const endpoint =
      picked.endpoint ??
      (
        await vs.window.showInputBox({
          title: 'Server base URL',
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
      void vs.window.showErrorMessage(`Visual Coder: ${problem}; run "Visual Coder: Choose Remote Server" first.`);
      return;
    }
    const apiKey = (await secrets.get(apiKeySecretName(s.endpoint))) || undefined;
    let models: string[];
    try {
      models = await vs.window.withProgress({ location: vs.ProgressLocation.Window, title: `Asking ${endpointHost(s.endpoint)} for its models` }, async () => {
        await host.whenReady();
        return (await host.sendRequest(RemoteListModelsRequest, { endpoint: s.endpoint, apiKey })).models;
      });
    } catch (err) {
      const message = (err as Error).message;
      log.warn(`listing models of ${s.endpoint} failed: ${message}`);
      const action = /API key/.test(message) ? 'Set API Key' : 'Choose Server';
      const choice = await vs.window.showErrorMessage(`Visual Coder: ${message}`, action);
      if (choice === 'Set API Key') await setApiKey();
      else if (choice === 'Choose Server') await chooseServer();
      return;
    }
    if (models.length === 0) {
      void vs.window.showWarningMessage(
        `Visual Coder: ${endpointHost(s.endpoint)} lists no models; load one on the server, or set visualCoder.remote.model by hand.`,
      );
      return;
    }
    const picked = await vs.window.showQuickPick(
      models.map((m) => ({ label: m, description: m === s.model ? 'current' : undefined })),
      { title: `Visual Coder: model on ${endpointHost(s.endpoint)}`, ignoreFocusOut: true },
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
  item.name = 'Visual Coder Remote Server';
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
