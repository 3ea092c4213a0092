/**
 * Choosing and fetching models in the editor: `visualCoder.selectModel` (quick pick with size,
 * licence, installed state, the recommendation first), `visualCoder.downloadModel` (a notification
 * with bytes, rate, time left and Cancel; a later download resumes), the walkthrough's
 * `visualCoder.downloadRecommendedModel`, a status bar item naming the active model, and
 * `offerModelDownload` for task commands that found no model.
 */
import type * as vscode from 'vscode';
import type { CancellationToken } from 'vscode-jsonrpc';
import {
  HostErrorCodes,
  ModelsListRequest,
  ModelsProgressNotification,
  ModelsPullRequest,
  ModelsRegisterRequest,
  ModelsSelectRequest,
  type ModelPresetInfo,
  type ModelsListResult,
  type ModelsProgressParams,
} from '../../model-host/protocol';
import type { FeatureDeps } from './feature-deps';
import { modelPickItems, progressMessage, formatSize, ProgressIncrements, type ModelPickItem } from './models-view';
import { createModelStatusItem } from './models-status';
import { watchModelSetting } from './model-setting';
import { parseModelRef } from '../../model-host/models/registry';

/** Listeners for the progress of the pull of each model id (one notification per running pull). */
const progressListeners = new Map<string, (p: ModelsProgressParams) => void>();

function activeModel(vs: typeof vscode): string | undefined {
  return vs.workspace.getConfiguration('visualCoder').get<string>('model', '').trim() || undefined;
}

async function listModels(deps: FeatureDeps): Promise<ModelsListResult> {
  await deps.host.whenReady();
  return deps.host.sendRequest(ModelsListRequest, {});
}

/** The value `useModel` is writing to `visualCoder.model`, already selected on the host. */
let ownWrite: string | undefined;

/** Makes a model the active one: tells the host (no restart needed) and writes `visualCoder.model`. */
async function useModel(deps: FeatureDeps, id: string): Promise<void> {
  const { model } = await deps.host.sendRequest(ModelsSelectRequest, { id });
  ownWrite = id;
  // Machine-scoped setting, so it is written to the user settings.
  await deps.vs.workspace.getConfiguration('visualCoder').update('model', id, deps.vs.ConfigurationTarget.Global);
  deps.log.info(`active model: ${model.displayName} (${model.dir})`);
  void deps.vs.window.showInformationMessage(`Visual Coder now uses ${model.displayName}.`);
}

/** Shows the licence before a download; resolves true when the user agrees. */
async function confirmLicence(deps: FeatureDeps, preset: ModelPresetInfo): Promise<boolean> {
  const { vs } = deps;
  for (;;) {
    const choice = await vs.window.showInformationMessage(
      `Download ${preset.displayName} (about ${formatSize(preset.sizeBytes)})?`,
      { modal: true, detail: `Licence: ${preset.licence}.\nBy downloading you accept it. Needs about ${preset.minGpuMemoryGb} GB of GPU memory.\nSource: ${preset.repo}@${preset.revision}` },
      'Download',
      'View Licence',
    );
    if (choice === 'View Licence' && preset.licenceUrl) {
      await vs.env.openExternal(vs.Uri.parse(preset.licenceUrl));
      continue;
    }
    return choice === 'Download';
  }
}

/**
 * Downloads a model with a cancellable progress notification. Resolves to its store id once installed.
 * Errors are shown with what to do; Retry resumes from the bytes already on disk.
 */
export async function downloadModel(deps: FeatureDeps, id: string, displayName = id): Promise<string | undefined> {
  const { vs, host, log } = deps;
  const proxy = vs.workspace.getConfiguration('http').get<string>('proxy', '').trim() || undefined;
  // Progress notifications carry the store id (`org--name` for a hub repository `org/name`).
  let key = id;
  try {
    key = parseModelRef(id).id;
  } catch {
    // Not a valid reference: the host will say so.
  }
  const outcome = await vs.window.withProgress(
    { location: vs.ProgressLocation.Notification, title: `Downloading ${displayName}`, cancellable: true },
    async (progress, token) => {
      const increments = new ProgressIncrements();
      progress.report({ message: 'starting…' });
      progressListeners.set(key, (p) => progress.report({ message: progressMessage(p), increment: increments.next(p) }));
      try {
        await host.whenReady();
        const result = await host.sendRequest(ModelsPullRequest, { id, proxy }, token as unknown as CancellationToken);
        log.info(`downloaded ${result.id}: ${result.files} files, ${result.bytes} bytes in ${result.dir}`);
        return { installed: result.id };
      } catch (err) {
        return err as Error & { code?: number };
      } finally {
        progressListeners.delete(key);
      }
    },
  );
  if ('installed' in outcome) return outcome.installed;
  if (outcome.code === HostErrorCodes.Cancelled) {
    void vs.window.showInformationMessage(`Download of ${displayName} cancelled. Download it again to resume where it stopped.`);
    return undefined;
  }
  log.error(`download of ${id} failed: ${outcome.message}`);
  const choice = await vs.window.showErrorMessage(`Visual Coder: ${outcome.message}`, 'Retry', 'Show Logs');
  if (choice === 'Retry') return downloadModel(deps, id, displayName);
  if (choice === 'Show Logs') log.show();
  return undefined;
}

/** Licence, download, then make it active. */
async function fetchAndUse(deps: FeatureDeps, preset: ModelPresetInfo): Promise<boolean> {
  if (!(await confirmLicence(deps, preset))) return false;
  if (!(await downloadModel(deps, preset.id, preset.displayName))) return false;
  await useModel(deps, preset.id);
  return true;
}

async function registerFolder(deps: FeatureDeps): Promise<void> {
  const { vs } = deps;
  const picked = await vs.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Use this model folder' });
  if (!picked?.[0]) return;
  const model = await deps.host.sendRequest(ModelsRegisterRequest, { dir: picked[0].fsPath });
  await useModel(deps, model.id);
}

async function pickModel(deps: FeatureDeps, title: string, onlyMissing: boolean): Promise<ModelPickItem | undefined> {
  const { vs } = deps;
  const items = listModels(deps).then((list) => modelPickItems(list, activeModel(vs), onlyMissing));
  return vs.window.showQuickPick(items, { title, placeHolder: 'Recommended first; size, licence and what each model is good at', matchOnDescription: true, matchOnDetail: true });
}

async function selectModelCommand(deps: FeatureDeps): Promise<void> {
  try {
    const item = await pickModel(deps, 'Visual Coder: Select Model', false);
    if (!item) return;
    if (item.action === 'register-folder') return await registerFolder(deps);
    if (item.installed && item.id) return await useModel(deps, item.id);
    if (item.preset) await fetchAndUse(deps, item.preset);
  } catch (err) {
    void deps.vs.window.showErrorMessage(`Visual Coder: ${(err as Error).message}`);
  }
}

/** `visualCoder.downloadModel [id]`: a given preset or hub repo, or a pick of the presets not installed. */
async function downloadModelCommand(deps: FeatureDeps, id?: unknown): Promise<boolean> {
  try {
    if (typeof id === 'string' && id) {
      const preset = (await listModels(deps)).presets.find((p) => p.id === id);
      if (preset) return await fetchAndUse(deps, preset);
      const installed = await downloadModel(deps, id);
      if (!installed) return false;
      await useModel(deps, installed);
      return true;
    }
    const item = await pickModel(deps, 'Visual Coder: Download Model', true);
    if (!item?.preset) return false;
    return await fetchAndUse(deps, item.preset);
  } catch (err) {
    void deps.vs.window.showErrorMessage(`Visual Coder: ${(err as Error).message}`);
    return false;
  }
}

async function downloadRecommendedCommand(deps: FeatureDeps): Promise<boolean> {
  const list = await listModels(deps);
  const preset = list.presets.find((p) => p.id === list.recommended?.id);
  if (!preset) return downloadModelCommand(deps);
  if (preset.installed) {
    await useModel(deps, preset.id);
    return true;
  }
  return fetchAndUse(deps, preset);
}

/**
 * For task commands that got `HostErrorCodes.NoModel`: offers the recommended model instead of
 * failing. Resolves true when a model was installed and selected (the caller may run again).
 */
export async function offerModelDownload(deps: FeatureDeps): Promise<boolean> {
  const { vs } = deps;
  let list: ModelsListResult;
  try {
    list = await listModels(deps);
  } catch {
    return false;
  }
  const installed = list.presets.filter((p) => p.installed);
  const rec = list.presets.find((p) => p.id === list.recommended?.id);
  const choices = [rec && !rec.installed ? `Download ${rec.displayName}` : undefined, installed.length ? 'Use an Installed Model' : undefined, 'Choose a Model…'].filter(
    (c): c is string => Boolean(c),
  );
  const detail = rec ? ` Recommended for this machine: ${rec.displayName}, about ${formatSize(rec.sizeBytes)} (${list.recommended?.reason}).` : '';
  const choice = await vs.window.showWarningMessage(`Visual Coder needs a vision model to do this.${detail}`, ...choices);
  if (!choice) return false;
  if (rec && choice === `Download ${rec.displayName}`) return fetchAndUse(deps, rec);
  await selectModelCommand(deps);
  return Boolean(activeModel(vs));
}

export function registerModels(deps: FeatureDeps): void {
  const { vs, context, host } = deps;
  const status = createModelStatusItem(deps);
  context.subscriptions.push(
    status,
    watchModelSetting(deps, (value) => {
      const own = value === ownWrite;
      ownWrite = undefined;
      return own;
    }),
    host.onNotification(ModelsProgressNotification, (p) => progressListeners.get(p.id)?.(p)),
    vs.commands.registerCommand('visualCoder.selectModel', () => selectModelCommand(deps)),
    vs.commands.registerCommand('visualCoder.downloadModel', (id?: unknown) => downloadModelCommand(deps, id)),
    vs.commands.registerCommand('visualCoder.downloadRecommendedModel', () =>
      downloadRecommendedCommand(deps).catch((err: Error) => void vs.window.showErrorMessage(`Visual Coder: ${err.message}`)),
    ),
  );
}
