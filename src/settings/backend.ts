/**
 * Which backend answers a task: the local model, or the OpenAI-compatible server the remote settings
 * name, with the API key for that server's origin from SecretStorage.
 */
import type * as vscode from 'vscode';
import type { BackendConfig } from '../../model-host/protocol';
import { apiKeySecretName, endpointProblem } from './remote-settings';
import type { Settings } from './settings';

/**
 * The backend a task run should use. Throws an Error that says what to set when the remote backend is
 * chosen but incomplete.
 */
export async function currentBackend(settings: Pick<Settings, 'remote'>, secrets: Pick<vscode.SecretStorage, 'get'>): Promise<BackendConfig> {
  const s = settings.remote;
  if (s.backend !== 'openai') return { kind: 'local' };
  const problem = endpointProblem(s.endpoint);
  if (problem) throw new Error(`visualCoder.backend is "openai" but ${problem}: set visualCoder.remote.endpoint or run "Visual Coder: Choose Remote Server".`);
  if (!s.model) {
    throw new Error('visualCoder.backend is "openai" but no model is set: run "Visual Coder: Choose Remote Model" or set visualCoder.remote.model.');
  }
  const apiKey = await secrets.get(apiKeySecretName(s.endpoint));
  return { kind: 'openai', endpoint: s.endpoint, model: s.model, apiKey: apiKey || undefined, maxImageSide: s.maxImageSide };
}

/** The remote backend for a run, or undefined for the local model. */
export async function remoteBackendForRun(settings: Pick<Settings, 'remote'>, secrets: Pick<vscode.SecretStorage, 'get'>): Promise<BackendConfig | undefined> {
  const backend = await currentBackend(settings, secrets);
  return backend.kind === 'openai' ? backend : undefined;
}
