/**
 * The shape of one visual coding task in the registry: what it is called, which option it asks
 * for (stack, library, target), what the model is told for each model family, and how the answer
 * is turned into the text that lands in the editor.
 */
import type { TaskInfo, TaskOptionInfo } from '../protocol';

/**
 * Families of prompts. Small local models (DeepSeek-VL 1.3B, Janus 1B) follow short, direct
 * instructions like the ones the DeepSeek-VL paper shows; Qwen2-VL and remote models follow a
 * system prompt plus detailed requirements.
 */
export type PromptFamily = 'deepseek-vl' | 'janus' | 'qwen2-vl' | 'generic';
export const PROMPT_FAMILIES: readonly PromptFamily[] = ['deepseek-vl', 'janus', 'qwen2-vl', 'generic'];

/** The prompt text of a task for one option choice. */
export interface TaskPrompt {
  /** Short instruction for small local models (deepseek-vl, janus). */
  short: string;
  /** Detailed instruction for instruction-following models (qwen2-vl, remote). */
  detailed: string;
  /** System prompt for families that use one. */
  system: string;
}

export interface TaskDefinition {
  id: string;
  title: string;
  /** Output language when the task has no option (VS Code language id). */
  language: string;
  /** At most one option per task keeps the quick pick to one step. */
  option?: TaskOptionInfo;
  /** `vlm`, `ocr`, `remote`: engines that can run it. */
  engines: string[];
  /** The prompt for a choice of the option ('' when the task has none). */
  prompt(choice: string): TaskPrompt;
  /** Turns the model's raw answer into the text for the editor. */
  postprocess(raw: string, language: string): string;
}

/** The output language for a choice of the task's option. */
export function languageFor(task: TaskDefinition, choice: string | undefined): string {
  const found = task.option?.choices.find((c) => c.id === choice);
  return found?.language ?? task.option?.choices.find((c) => c.id === task.option?.default)?.language ?? task.language;
}

export function toTaskInfo(task: TaskDefinition): TaskInfo {
  return { id: task.id, title: task.title, language: languageFor(task, undefined), options: task.option ? [task.option] : [], engines: task.engines };
}
