/**
 * Every visual coding task the host can run, in the order quick picks show them, and the prompt
 * a task gives each model family.
 */
import type { ChatPrompt } from '../engines/engine';
import type { CustomStack, TaskInfo } from '../protocol';
import { CustomStackError, withCustomStacks } from './custom-stacks';
import { type PromptFamily, type TaskDefinition, languageFor, toTaskInfo } from './task-definition';
import { UI_SYSTEM_PROMPT, uiToCode } from './ui-to-code';
import { chartToCode } from './chart-to-code';
import { flowchartToCode } from './flowchart-to-code';
import { explainCodeImage, findBugInCodeImage, transcribeCode } from './code-image-tasks';
import { formulaToLatex, tableToMarkdown } from './formula-table-tasks';

export const TASKS: readonly TaskDefinition[] = [
  uiToCode,
  chartToCode,
  flowchartToCode,
  explainCodeImage,
  findBugInCodeImage,
  formulaToLatex,
  tableToMarkdown,
  transcribeCode,
];

/** The registry as clients see it, with the user's stacks under ui-to-code. */
export function listTasks(customStacks?: readonly CustomStack[]): TaskInfo[] {
  return TASKS.map((t) => toTaskInfo(withStacks(t, customStacks)));
}

export class UnknownTaskError extends Error {}

export function getTask(id: string, customStacks?: readonly CustomStack[]): TaskDefinition {
  const task = TASKS.find((t) => t.id === id);
  if (!task) throw new UnknownTaskError(`unknown task "${id}"; known tasks: ${TASKS.map((t) => t.id).join(', ')}`);
  return withStacks(task, customStacks);
}

function withStacks(task: TaskDefinition, customStacks: readonly CustomStack[] | undefined): TaskDefinition {
  if (task !== uiToCode) return task;
  try {
    return withCustomStacks(task, customStacks, UI_SYSTEM_PROMPT);
  } catch (err) {
    // A bad stack is the caller's mistake, said as such (invalid params), not an internal error.
    if (err instanceof CustomStackError) throw new UnknownTaskError(err.message);
    throw err;
  }
}

/**
 * The option choice to use: the one asked for when the task knows it, else the default. An
 * unknown choice is an error (a typo should not silently give HTML instead of Vue).
 */
export function resolveChoice(task: TaskDefinition, options: Record<string, string> = {}): string {
  if (!task.option) {
    const extra = Object.keys(options);
    if (extra.length) throw new UnknownTaskError(`task "${task.id}" takes no options (got ${extra.join(', ')})`);
    return '';
  }
  for (const name of Object.keys(options)) {
    if (name !== task.option.name) throw new UnknownTaskError(`task "${task.id}" has no option "${name}"; its option is "${task.option.name}"`);
  }
  const choice = options[task.option.name] ?? task.option.default;
  if (!task.option.choices.some((c) => c.id === choice)) {
    throw new UnknownTaskError(
      `"${choice}" is not a ${task.option.name} of task "${task.id}"; choose one of ${task.option.choices.map((c) => c.id).join(', ')}`,
    );
  }
  return choice;
}

/** Engine family (as the engine reports it) → the prompt family it gets. */
export function promptFamilyOf(engineFamily: string): PromptFamily {
  if (engineFamily.startsWith('deepseek-vl')) return 'deepseek-vl';
  if (engineFamily.startsWith('janus')) return 'janus';
  if (engineFamily.startsWith('qwen2')) return 'qwen2-vl';
  return 'generic';
}

export interface PromptRequest {
  task: TaskDefinition;
  choice: string;
  family: PromptFamily;
  /** OCR text of the image, one detected line per line, when OCR augmentation is on. */
  ocrText?: string;
  /** The user's extra instruction. */
  instruction?: string;
}

/** The chat prompt for a task run: family-specific instruction, OCR text, user instruction. */
export function buildPrompt(request: PromptRequest): ChatPrompt {
  const prompt = request.task.prompt(request.choice);
  const small = request.family === 'deepseek-vl' || request.family === 'janus';
  const parts = [small ? prompt.short : prompt.detailed];
  if (request.ocrText?.trim()) {
    // Text-augmented prompting (Design2Code): small models cannot read small text at 384 px.
    parts.push(`The text in the image, as read by OCR (top to bottom):\n${request.ocrText.trim()}`);
  }
  if (request.instruction?.trim()) parts.push(request.instruction.trim());
  // Which families get the task's system text (docs/tasks.md, "System prompts"): DeepSeek-VL's checkpoint
  // template always opens with its default system prompt and has no way to replace it (a system message would
  // only add a "System:" turn the model was not trained with), and Janus's processor brings its own; both get
  // the instruction in the user turn. Qwen2-VL and remote models take the task's system text as the system turn.
  return small ? { user: parts.join('\n\n') } : { system: prompt.system, user: parts.join('\n\n') };
}

export { languageFor };
