/**
 * Choosing and fetching models in the editor: `visualCoder.selectModel` (quick pick with size,
 * licence, installed state, the recommendation first), `visualCoder.downloadModel` (a notification
 * with bytes, rate, time left and Cancel; a later download resumes), the walkthrough's
 * `visualCoder.downloadRecommendedModel`, a status bar item naming the active model, and
 * `offerModelDownload` for task commands that found no model.
 */
import type * as vscode from 'vscode';
import {
  HostErrorCodes,
  hostErrorCode,
  formatBytes,
  ModelsListRequest,
  ModelsProgressNotification,
  ModelsPullRequest,
  ModelsRegisterRequest,
  ModelsSelectRequest,
  type ModelPresetInfo,
  type ModelsListResult,
  type ModelsProgressParams,
} from '../../../model-host/protocol';
import type { HostClient } from '../../host/host-client';
import { SETTING, type Settings } from '../../settings/settings';
import { modelPickItems, progressMessage, ProgressIncrements, type ModelPickItem } from './models-view';
import { createModelStatusItem } from './models-status';
import { watchModelSetting } from './model-setting';
import { t } from '../../l10n';

export interface ModelsFeatureDeps {
  vs: typeof vscode;
  host: HostClient;
  settings: Settings;
  log: vscode.LogOutputChannel;
}

export class ModelsFeature {
  /** Listeners for the progress of each running pull, by the reference the pull named. */
  private readonly progressListeners = new Map<string, (p: ModelsProgressParams) => void>();
  /** The value `useModel` is writing to `visualCoder.model`, already selected on the host. */
  private ownWrite: string | undefined;

  constructor(private readonly deps: ModelsFeatureDeps) {}

  private listModels(): Promise<ModelsListResult> {
    return this.deps.host.whenReady().then(() => this.deps.host.sendRequest(ModelsListRequest, { dtype: this.deps.settings.modelDtype }));
  }

  /** Makes a model the active one: tells the host (no restart needed) and writes `visualCoder.model`. */
  private async useModel(id: string): Promise<void> {
    const { vs, host, settings, log } = this.deps;
    const { model } = await host.sendRequest(ModelsSelectRequest, { id });
    this.ownWrite = id;
    await settings.update(SETTING.model, id);
    log.info(`active model: ${model.displayName} (${model.dir})`);
    void vs.window.showInformationMessage(t('Visual Coder now uses {0}.', model.displayName));
  }

  /** Shows the licence before a download; resolves true when the user agrees. */
  private async confirmLicence(preset: ModelPresetInfo): Promise<boolean> {
    const { vs } = this.deps;
    for (;;) {
      const choice = await vs.window.showInformationMessage(
        t('Download {0} (about {1})?', preset.displayName, formatBytes(preset.sizeBytes)),
        {
          modal: true,
          detail: t('Licence: {0}.\nBy downloading you accept it. {1}\nSource: {2}@{3}', preset.licence, needs(preset), preset.repo, preset.revision),
        },
        t('Download'),
        t('View Licence'),
      );
      if (choice === t('View Licence') && preset.licenceUrl) {
        await vs.env.openExternal(vs.Uri.parse(preset.licenceUrl));
        continue;
      }
      return choice === t('Download');
    }
  }

  /**
   * Downloads a model with a cancellable progress notification. Resolves to its store id once installed.
   * Errors are shown with what to do; Retry resumes from the bytes already on disk.
   */
  async download(id: string, displayName = id): Promise<string | undefined> {
    const { vs, host, settings, log } = this.deps;
    const outcome = await vs.window.withProgress(
      { location: vs.ProgressLocation.Notification, title: t('Downloading {0}', displayName), cancellable: true },
      async (progress, token) => {
        const increments = new ProgressIncrements();
        progress.report({ message: t('starting…') });
        this.progressListeners.set(id, (p) => progress.report({ message: progressMessage(p), increment: increments.next(p) }));
        try {
          await host.whenReady();
          const result = await host.sendRequest(ModelsPullRequest, { id, proxy: settings.httpProxy, dtype: settings.modelDtype }, token);
          log.info(`downloaded ${result.id}: ${result.files} files, ${result.bytes} bytes in ${result.dir}`);
          return { installed: result.id };
        } catch (err) {
          return err as Error;
        } finally {
          this.progressListeners.delete(id);
        }
      },
    );
    if ('installed' in outcome) return outcome.installed;
    if (hostErrorCode(outcome) === HostErrorCodes.Cancelled) {
      void vs.window.showInformationMessage(t('Download of {0} cancelled. Download it again to resume where it stopped.', displayName));
      return undefined;
    }
    log.error(`download of ${id} failed: ${outcome.message}`);
    const choice = await vs.window.showErrorMessage(t('Visual Coder: {0}', outcome.message), t('Retry'), t('Show Logs'));
    if (choice === t('Retry')) return this.download(id, displayName);
    if (choice === t('Show Logs')) log.show();
    return undefined;
  }

  /** Licence, download, then make it active. */
  private async fetchAndUse(preset: ModelPresetInfo): Promise<boolean> {
    if (!(await this.confirmLicence(preset))) return false;
    if (!(await this.download(preset.id, preset.displayName))) return false;
    await this.useModel(preset.id);
    return true;
  }

  private async registerFolder(): Promise<void> {
    const picked = await this.deps.vs.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: t('Use this model folder') });
    if (!picked?.[0]) return;
    const model = await this.deps.host.sendRequest(ModelsRegisterRequest, { dir: picked[0].fsPath });
    await this.useModel(model.id);
  }

  private pickModel(title: string, onlyMissing: boolean): Thenable<ModelPickItem | undefined> {
    const items = this.listModels().then((list) => modelPickItems(list, this.deps.settings.model, onlyMissing));
    return this.deps.vs.window.showQuickPick(items, {
      title,
      placeHolder: t('Recommended first; size, licence and what each model is good at'),
      matchOnDescription: true,
      matchOnDetail: true,
    });
  }

  private async selectModelCommand(): Promise<void> {
    try {
      const item = await this.pickModel('Visual Coder: Select Model', false);
      if (!item) return;
      if (item.action === 'register-folder') return await this.registerFolder();
      if (item.installed && item.id) return await this.useModel(item.id);
      if (item.preset) await this.fetchAndUse(item.preset);
    } catch (err) {
      void this.deps.vs.window.showErrorMessage(t('Visual Coder: {0}', (err as Error).message));
    }
  }

  /** `visualCoder.downloadModel [id]`: a given preset or hub repo, or a pick of the presets not installed. */
  private async downloadModelCommand(id?: unknown): Promise<boolean> {
    try {
      if (typeof id === 'string' && id) {
        const preset = (await this.listModels()).presets.find((p) => p.id === id);
        if (preset) return await this.fetchAndUse(preset);
        const installed = await this.download(id);
        if (!installed) return false;
        await this.useModel(installed);
        return true;
      }
      const item = await this.pickModel('Visual Coder: Download Model', true);
      if (!item?.preset) return false;
      return await this.fetchAndUse(item.preset);
    } catch (err) {
      void this.deps.vs.window.showErrorMessage(t('Visual Coder: {0}', (err as Error).message));
      return false;
    }
  }

  private async downloadRecommendedCommand(): Promise<boolean> {
    const list = await this.listModels();
    const preset = list.presets.find((p) => p.id === list.recommended?.id);
    if (!preset) return this.downloadModelCommand();
    if (preset.installed) {
      await this.useModel(preset.id);
      return true;
    }
    return this.fetchAndUse(preset);
  }

  /**
   * For tasks that got `HostErrorCodes.NoModel`: offers the recommended model instead of failing.
   * Resolves true when a model was installed and selected (the caller may run again).
   */
  async offerModelDownload(): Promise<boolean> {
    const { vs, settings } = this.deps;
    let list: ModelsListResult;
    try {
      list = await this.listModels();
    } catch {
      return false;
    }
    const installed = list.presets.filter((p) => p.installed);
    const rec = list.presets.find((p) => p.id === list.recommended?.id);
    const downloadRecommended = rec && !rec.installed ? t('Download {0}', rec.displayName) : undefined;
    const choices = [downloadRecommended, installed.length ? t('Use an Installed Model') : undefined, t('Choose a Model…')].filter((c): c is string =>
      Boolean(c),
    );
    const message = rec
      ? t(
          'Visual Coder needs a vision model to do this. Recommended for this machine: {0}, about {1} ({2}).',
          rec.displayName,
          formatBytes(rec.sizeBytes),
          list.recommended?.reason ?? '',
        )
      : t('Visual Coder needs a vision model to do this.');
    const choice = await vs.window.showWarningMessage(message, ...choices);
    if (!choice) return false;
    if (downloadRecommended && choice === downloadRecommended) return this.fetchAndUse(rec!);
    await this.selectModelCommand();
    return Boolean(settings.model);
  }

  register(): vscode.Disposable[] {
    const { vs, host, settings, log } = this.deps;
    return [
      createModelStatusItem(vs, settings),
      watchModelSetting({ window: vs.window, settings, host, log }, (value) => {
        const own = value === this.ownWrite;
        this.ownWrite = undefined;
        return own;
      }),
      host.onNotification(ModelsProgressNotification, (p) => this.progressListeners.get(p.ref ?? p.id)?.(p)),
      vs.commands.registerCommand('visualCoder.selectModel', () => this.selectModelCommand()),
      vs.commands.registerCommand('visualCoder.downloadModel', (id?: unknown) => this.downloadModelCommand(id)),
      vs.commands.registerCommand('visualCoder.downloadRecommendedModel', () =>
        this.downloadRecommendedCommand().catch((err: Error) => void vs.window.showErrorMessage(t('Visual Coder: {0}', err.message))),
      ),
    ];
  }
}

/** What a preset needs to run, for the licence dialog: the converted dtype's estimate where there is one. */
function needs(preset: ModelPresetInfo): string {
  const c = preset.conversion;
  if (!c) return t('Needs about {0} GB of GPU memory.', preset.minGpuMemoryGb);
  return t(
    'Converted to {0} after the download ({1}; visualCoder.modelDtype): about {2} on disk and {3} GB of memory to run.',
    c.dtype,
    c.reason,
    formatBytes(c.diskBytes),
    c.memoryGb,
  );
}
