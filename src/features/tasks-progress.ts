/**
 * Runs a task with a progress notification that has Cancel, streaming into a sink. Cancelling keeps
 * what was generated (the host answers with the partial result); errors are shown once, with the
 * way out ("Download Model" when no model is installed).
 */
import type { TaskRunResult } from '../../model-host/protocol';
import { HostErrorCodes } from '../../model-host/protocol';
import type { FeatureDeps } from './feature-deps';
import { errorCode, runTaskOnHost, type TaskRunRequestParams } from './tasks-client';
import { readBackend } from './tasks-settings';
import { offerModelDownload } from './models';

export interface TaskSink {
  append(text: string): void;
  /** Called with the post-processed output once the run ends (also after a cancel). */
  finish(result: TaskRunResult): Promise<void>;
  /** Called when the run failed: keep what was written. */
  settle(): Promise<void>;
}


export async function showTaskError(deps: FeatureDeps, err: unknown): Promise<void> {
  const { vs } = deps;
  const message = err instanceof Error ? err.message : String(err);
  deps.log.error(`task failed: ${message}`);
  if (errorCode(err) === HostErrorCodes.NoModel) {
    // No model is not a failure to report but a step to take: offer the download (models feature).
    if (await offerModelDownload(deps)) void vs.window.showInformationMessage('Visual Coder: the model is ready; run the command again.');
    // Declined, or the model list could not be read: the reason still has to reach the user.
    else void vs.window.showErrorMessage(`Visual Coder: ${message}`);
    return;
  }
  void vs.window.showErrorMessage(`Visual Coder: ${message}`);
}

/** Runs `params` into `sink`; resolves with the result, or undefined after a failure (already shown). */
export async function runTaskWithProgress(deps: FeatureDeps, title: string, params: TaskRunRequestParams, sink: TaskSink): Promise<TaskRunResult | undefined> {
  const { vs } = deps;
  return vs.window.withProgress({ location: vs.ProgressLocation.Notification, title: `Visual Coder: ${title}`, cancellable: true }, async (progress, token) => {
    let chars = 0;
    progress.report({ message: 'waiting for the model…' });
    try {
      const backend = params.backend ?? (await readBackend(deps));
      const result = await runTaskOnHost(
        deps.host,
        { ...params, backend },
        (text) => {
          if (chars === 0) progress.report({ message: 'writing…' });
          chars += text.length;
          sink.append(text);
        },
        token,
      );
      await sink.finish(result);
      deps.log.info(`${params.taskId}: ${result.finishReason} after ${Math.round(result.timings.totalMs)} ms on ${result.model ?? '?'} (${result.device ?? '?'})`);
      if (result.finishReason === 'length') void vs.window.showInformationMessage('Visual Coder: the answer stopped at the token limit (setting visualCoder.maxNewTokens).');
      if (result.finishReason === 'error') void vs.window.showWarningMessage(`Visual Coder: the answer was cut off: ${result.error ?? 'unknown reason'}. What arrived was kept.`);
      return result;
    } catch (err) {
      await sink.settle();
      if (token.isCancellationRequested && errorCode(err) === HostErrorCodes.Cancelled) return undefined;
      await showTaskError(deps, err);
      return undefined;
    }
  });
}
