/** The settings a task run reads, in one place (tasks, panel and inline actions share them). */
import type * as vscode from 'vscode';
import type { BackendConfig, GenerationOptions } from '../../model-host/protocol';
import type { FeatureDeps } from './feature-deps';
import { currentBackend } from './remote';

export type OutputPlacement = 'newEditor' | 'cursor';

export interface TaskRunSettings {
  output: OutputPlacement;
  ocrAugment: boolean;
  generation: GenerationOptions;
}

export function readTaskSettings(vs: typeof vscode): TaskRunSettings {
  const config = vs.workspace.getConfiguration('visualCoder');
  const maxNewTokens = config.get<number>('maxNewTokens');
  return {
    output: config.get<OutputPlacement>('output') === 'cursor' ? 'cursor' : 'newEditor',
    ocrAugment: config.get<boolean>('ocrAugmentedPrompts') ?? true,
    generation: maxNewTokens && maxNewTokens > 0 ? { maxNewTokens } : {},
  };
}

/**
 * The backend for a run (`visualCoder.backend` and the remote settings, with the API key from
 * SecretStorage, read by the remote feature); undefined means the local model. Throws with what
 * to set when the remote backend is chosen but incomplete.
 */
export async function readBackend(deps: Pick<FeatureDeps, 'vs' | 'context'>): Promise<BackendConfig | undefined> {
  const backend = await currentBackend(deps);
  return backend.kind === 'openai' ? backend : undefined;
}
