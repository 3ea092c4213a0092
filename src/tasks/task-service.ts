/**
 * The one task layer the commands, the panel and the inline actions use as peers: the host's task
 * list (fetched once per session), the options of a task (asked with the last choice first, or the
 * remembered choice without asking), the `task/run` params from the settings, a run with a progress
 * notification that has Cancel and streams into a sink, and the one path a failure takes (no model
 * is not a failure to report but a step to offer: "Download Model").
 */
import type * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';
import {
  HostErrorCodes,
  hostErrorCode,
  TaskDeltaNotification,
  TaskListRequest,
  TaskRunRequest,
  type BackendConfig,
  type ImageInput,
  type TaskChoiceInfo,
  type TaskInfo,
  type TaskRunParams,
  type TaskRunResult,
} from '../../model-host/protocol';
import type { HostClient } from '../host/host-client';
import type { Settings } from '../settings/settings';
import { t } from '../l10n';

export type TaskRunRequestParams = Omit<TaskRunParams, 'runId'>;

/** Where a run's text goes. */
export interface TaskSink {
  append(text: string): void;
  /** Called with the post-processed output once the run ends (also after a cancel). */
  finish(result: TaskRunResult): Promise<void>;
  /** Called when the run failed: keep what was written. */
  settle(): Promise<void>;
}

/** A task's option choices and the output language they give. */
export interface ResolvedOptions {
  options: Record<string, string>;
  language: string;
}

export interface TaskServiceDeps {
  vs: Pick<typeof vscode, 'window' | 'ProgressLocation'>;
  host: HostClient;
  settings: Settings;
  log: Pick<vscode.LogOutputChannel, 'info' | 'error'>;
  /** The remote backend for a run, or undefined for the local model (throws when the remote settings are incomplete). */
  backend(): Promise<BackendConfig | undefined>;
  /** Offers a model when there is none; resolves true once one is ready. */
  offerModel(): Promise<boolean>;
  /** Opens the Settings editor at a setting. */
  openSettings?(query: string): unknown;
}

export class TaskService {
  private list: Promise<TaskInfo[]> | undefined;

  constructor(private readonly deps: TaskServiceDeps) {}

  /** The registry from the host with the user's stacks, fetched once per session (again after a failure or a change of the stacks). */
  tasks(): Promise<TaskInfo[]> {
    if (!this.list) {
      const { stacks, problems } = this.deps.settings.customStacks;
      this.reportStackProblems(problems);
      this.list = this.deps.host.whenReady().then(() => this.deps.host.sendRequest(TaskListRequest, stacks.length ? { customStacks: stacks } : {}));
    }
    return this.list.catch((err) => {
      this.list = undefined;
      throw err;
    });
  }

  /** `visualCoder.customStacks` changed: the next pick lists the new stacks. */
  forgetTasks(): void {
    this.list = undefined;
  }

  private reportedProblems = '';

  /** Says once per edit of the setting which stacks were left out and why. */
  private reportStackProblems(problems: string[]): void {
    const said = problems.join('\n');
    if (said === this.reportedProblems) return;
    this.reportedProblems = said;
    if (!problems.length) return;
    this.deps.log.error(`visualCoder.customStacks: ${problems.join('; ')}`);
    void this.deps.vs.window
      .showWarningMessage(t('Visual Coder: some of your custom stacks were left out: {0}.', problems.join('; ')), t('Open Settings'))
      .then((choice) => choice && this.deps.openSettings?.('visualCoder.customStacks'));
  }

  /** The task, or undefined after telling the user why it is not there. */
  async find(taskId: string): Promise<TaskInfo | undefined> {
    const { window } = this.deps.vs;
    let tasks: TaskInfo[];
    try {
      tasks = await this.tasks();
    } catch (err) {
      void window.showErrorMessage(t('Visual Coder: the model host is not available: {0}', (err as Error).message));
      return undefined;
    }
    const task = tasks.find((t) => t.id === taskId);
    if (!task) void window.showErrorMessage(t('Visual Coder: the model host has no task "{0}".', taskId));
    return task;
  }

  /** Asks for each option (last choice first) and remembers the answer; undefined if the user cancels. */
  async chooseOptions(task: TaskInfo): Promise<ResolvedOptions | undefined> {
    const { settings } = this.deps;
    const resolved: ResolvedOptions = { options: {}, language: task.language };
    for (const option of task.options) {
      const last = settings.lastChoice(task.id, option.name);
      const ordered = [...option.choices].sort((a, b) => Number(b.id === last) - Number(a.id === last));
      const picked = await this.deps.vs.window.showQuickPick(
        ordered.map((c) => ({ label: c.title, description: choiceDescription(c, last, option.default), id: c.id })),
        { title: `${task.title}: ${option.title}`, placeHolder: t('Choose the {0}', option.title.toLowerCase()) },
      );
      if (!picked) return undefined;
      await settings.rememberChoice(task.id, option.name, picked.id);
      resolved.options[option.name] = picked.id;
      resolved.language = option.choices.find((c) => c.id === picked.id)?.language ?? resolved.language;
    }
    return resolved;
  }

  /** One click, no question: the option last chosen for the task (e.g. in the palette), else its default. */
  rememberedOptions(task: TaskInfo): ResolvedOptions {
    const resolved: ResolvedOptions = { options: {}, language: task.language };
    for (const option of task.options) {
      const choice = this.deps.settings.lastChoice(task.id, option.name) ?? option.default;
      resolved.options[option.name] = choice;
      resolved.language = option.choices.find((c) => c.id === choice)?.language ?? resolved.language;
    }
    return resolved;
  }

  /** `task/run` params for a task on an image, with the settings every run shares (the user's stacks too: a choice may be one). */
  params(taskId: string, image: ImageInput, options: Record<string, string> = {}): TaskRunRequestParams {
    const { settings } = this.deps;
    const { stacks } = settings.customStacks;
    return { taskId, image, options, generation: settings.generation, ocrAugment: settings.ocrAugment, ...(stacks.length ? { customStacks: stacks } : {}) };
  }

  /** Runs on the host (backend from the settings unless given), handing each raw delta to `onDelta` in order. */
  async run(params: TaskRunRequestParams, onDelta: (text: string) => void, token?: vscode.CancellationToken): Promise<TaskRunResult> {
    const { host } = this.deps;
    const backend = params.backend ?? (await this.deps.backend());
    await host.whenReady();
    const runId = randomUUID();
    const subscription = host.onNotification(TaskDeltaNotification, (delta) => {
      if (delta.runId === runId) onDelta(delta.text);
    });
    try {
      return await host.sendRequest(TaskRunRequest, { ...params, backend, runId }, token);
    } finally {
      subscription.dispose();
    }
  }

  /** Runs `params` into `sink` under a progress notification with Cancel; undefined after a failure (already shown). */
  async runWithProgress(title: string, params: TaskRunRequestParams, sink: TaskSink): Promise<TaskRunResult | undefined> {
    const { vs, log } = this.deps;
    return vs.window.withProgress(
      { location: vs.ProgressLocation.Notification, title: t('Visual Coder: {0}', title), cancellable: true },
      async (progress, token) => {
        let chars = 0;
        progress.report({ message: t('waiting for the model…') });
        try {
          const result = await this.run(
            params,
            (text) => {
              if (chars === 0) progress.report({ message: t('writing…') });
              chars += text.length;
              sink.append(text);
            },
            token,
          );
          await sink.finish(result);
          log.info(
            `${params.taskId}: ${result.finishReason} after ${Math.round(result.timings.totalMs)} ms on ${result.model ?? '?'} (${result.device ?? '?'})`,
          );
          if (result.finishReason === 'length') {
            void vs.window.showInformationMessage(t('Visual Coder: the answer stopped at the token limit (setting visualCoder.maxNewTokens).'));
          }
          if (result.finishReason === 'error') {
            void vs.window.showWarningMessage(t('Visual Coder: the answer was cut off: {0}. What arrived was kept.', result.error ?? 'unknown reason'));
          }
          return result;
        } catch (err) {
          await sink.settle();
          if (token.isCancellationRequested && hostErrorCode(err) === HostErrorCodes.Cancelled) return undefined;
          await this.reportFailure(err);
          return undefined;
        }
      },
    );
  }

  /** The one way a failed run reaches the user: no model → the offer of one; anything else → its message. */
  async reportFailure(err: unknown): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    this.deps.log.error(`task failed: ${message}`);
    if (await this.offerModelIfMissing(err)) return;
    void this.deps.vs.window.showErrorMessage(t('Visual Coder: {0}', message));
  }

  /**
   * When `err` says there is no model, offers one (the models feature's download offer) and says what
   * came of it; resolves true when it was that error. No model is not a failure to report but a step to take.
   */
  async offerModelIfMissing(err: unknown): Promise<boolean> {
    if (hostErrorCode(err) !== HostErrorCodes.NoModel) return false;
    const { window } = this.deps.vs;
    if (await this.deps.offerModel()) void window.showInformationMessage(t('Visual Coder: the model is ready; run the command again.'));
    // Declined, or the model list could not be read: the reason still has to reach the user.
    else void window.showErrorMessage(t('Visual Coder: {0}', (err as Error).message));
    return true;
  }
}

/** What the quick pick says beside a choice: last used, the default, or that it is one of the user's stacks. */
function choiceDescription(choice: TaskChoiceInfo, last: string | undefined, fallback: string): string | undefined {
  const notes = [choice.id === last ? 'last used' : choice.id === fallback ? 'default' : undefined, choice.custom ? 'your stack' : undefined];
  return notes.filter(Boolean).join(' · ') || undefined;
}
