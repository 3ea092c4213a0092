/**
 * The remote (OpenAI-compatible) backend in the editor: the commands to set the API key, pick a
 * server preset and pick a model from the server's list, the status bar item that shows which
 * server is in use, and `currentBackend()` for the task commands.
 */
import type * as vscode from 'vscode';
import type { FeatureDeps } from './feature-deps';
import { RemoteListModelsRequest, type BackendConfig } from '../../model-host/protocol';
import {
  SERVER_PRESETS,
  apiKeySecretName,
  describeRemoteStatus,
  endpointHostOf,
  endpointProblem,
  readRemoteSettings,
  type RemoteSettings,
} from './remote-settings';

const SECTION = 'visualCoder';

function settings(vs: typeof vscode): RemoteSettings {
  return readRemoteSettings(vs.workspace.getConfiguration(SECTION));
}

/**
 * The backend a task run should use, from `visualCoder.backend` and the remote settings, with the
 * API key for the endpoint's origin from SecretStorage. Throws an Error that says what to set when
 * the remote backend is chosen but incomplete.
 */
export async function currentBackend(deps: Pick<FeatureDeps, 'vs' | 'context'>): Promise<BackendConfig> {
  const s = settings(deps.vs);
  if (s.backend !== 'openai') return { kind: 'local' };
  const problem = endpointProblem(s.endpoint);
  if (problem) throw new Error(`visualCoder.backend is "openai" but ${problem}: set visualCoder.remote.endpoint or run "Visual Coder: Choose Remote Server".`);
  if (!s.model) throw new Error('visualCoder.backend is "openai" but no model is set: run "Visual Coder: Choose Remote Model" or set visualCoder.remote.model.');
  const apiKey = await deps.context.secrets.get(apiKeySecretName(s.endpoint));
  return { kind: 'openai', endpoint: s.endpoint, model: s.model, apiKey: apiKey || undefined, maxImageSide: s.maxImageSide };
}

export function registerRemote(deps: FeatureDeps): void {
  const { vs, context, log, host } = deps;
  const config = () => vs.workspace.getConfiguration(SECTION);

  const setApiKey = async () => {
    const s = settings(vs);
    const problem = endpointProblem(s.endpoint);
    if (problem) {
      void vs.window.showErrorMessage(`Visual Coder: set visualCoder.remote.endpoint first (${problem}).`);
      return;
    }
    const host = endpointHostOf(s.endpoint);
    const key = await vs.window.showInputBox({
      title: `API key for ${host}`,
      prompt: `Stored in the editor's secret storage and sent only to ${new URL(s.endpoint).origin}. Leave empty to remove the key.`,
      password: true,
      ignoreFocusOut: true,
    });
    if (key === undefined) return;
    const name = apiKeySecretName(s.endpoint);
    if (key.trim() === '') {
      await context.secrets.delete(name);
      void vs.window.showInformationMessage(`Visual Coder: removed the API key for ${host}.`);
    } else {
      await context.secrets.store(name, key.trim());
      void vs.window.showInformationMessage(`Visual Coder: saved the API key for ${host}.`);
    }
    log.info(`API key for ${host} ${key.trim() ? 'saved' : 'removed'}`);
  };

  const chooseServer = async () => {
    type Item = vscode.QuickPickItem & { endpoint?: string };
    const items: Item[] = SERVER_PRESETS.map((p) => ({ label: p.label, description: p.endpoint, detail: `Start it: ${p.howToStart}`, endpoint: p.endpoint }));
    items.push({ label: 'Other server…', detail: 'Enter the base URL of any OpenAI-compatible server (ending in /v1)' });
    const picked = await vs.window.showQuickPick(items, { title: 'Visual Coder: OpenAI-compatible server', matchOnDescription: true, matchOnDetail: true, ignoreFocusOut: true });
    if (!picked) return;
    const endpoint =
      picked.endpoint ??
      (await vs.window.showInputBox({
        title: 'Server base URL',
        value: settings(vs).endpoint,
        placeHolder: 'http://gpu-box:8000/v1',
        ignoreFocusOut: true,
        validateInput: (v) => endpointProblem(v.trim()),
      }))?.trim();
    if (!endpoint) return;
    await config().update('remote.endpoint', endpoint, vs.ConfigurationTarget.Global);
    if (settings(vs).backend !== 'openai') await config().update('backend', 'openai', vs.ConfigurationTarget.Global);
    log.info(`remote endpoint set to ${endpoint}`);
    await chooseModel();
  };

  const chooseModel = async () => {
    const s = settings(vs);
    const problem = endpointProblem(s.endpoint);
    if (problem) {
      void vs.window.showErrorMessage(`Visual Coder: ${problem}; run "Visual Coder: Choose Remote Server" first.`);
      return;
    }
    const apiKey = (await context.secrets.get(apiKeySecretName(s.endpoint))) || undefined;
    let models: string[];
    try {
      models = await vs.window.withProgress({ location: vs.ProgressLocation.Window, title: `Asking ${endpointHostOf(s.endpoint)} for its models` }, async () => {
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
      void vs.window.showWarningMessage(`Visual Coder: ${endpointHostOf(s.endpoint)} lists no models; load one on the server, or set visualCoder.remote.model by hand.`);
      return;
    }
    const picked = await vs.window.showQuickPick(
      models.map((m) => ({ label: m, description: m === s.model ? 'current' : undefined })),
      { title: `Visual Coder: model on ${endpointHostOf(s.endpoint)}`, ignoreFocusOut: true },
    );
    if (!picked) return;
    await config().update('remote.model', picked.label, vs.ConfigurationTarget.Global);
    log.info(`remote model set to ${picked.label}`);
  };

  context.subscriptions.push(
    vs.commands.registerCommand('visualCoder.setApiKey', setApiKey),
    vs.commands.registerCommand('visualCoder.chooseRemoteServer', chooseServer),
    vs.commands.registerCommand('visualCoder.chooseRemoteModel', chooseModel),
    createRemoteStatusItem(vs),
  );
}

/** A status bar item beside the host's: the remote model and server, shown while backend = openai. */
function createRemoteStatusItem(vs: typeof vscode): vscode.Disposable {
  const item = vs.window.createStatusBarItem('visualCoder.remoteStatus', vs.StatusBarAlignment.Right, 99);
  item.name = 'Visual Coder Remote Server';
  item.command = 'visualCoder.chooseRemoteModel';
  const render = () => {
    const view = describeRemoteStatus(settings(vs));
    if (!view) return void item.hide();
    item.text = view.text;
    item.tooltip = view.tooltip;
    item.show();
  };
  render();
  const watch = vs.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(`${SECTION}.backend`) || e.affectsConfiguration(`${SECTION}.remote`)) render();
  });
  return { dispose: () => (watch.dispose(), item.dispose()) };
}
