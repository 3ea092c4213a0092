/**
 * The palette commands (category "Visual Coder"): pick the image, pick the option (the last choice
 * comes first), and stream the result into a new editor, at the cursor, or — for explanations —
 * into a Markdown document beside.
 */
import type * as vscode from 'vscode';
import type { TaskFeatureDeps } from './task-feature-deps';
import { lazyEditorSink, openCursorOutput, openNewOutput } from '../tasks/output-sinks';

/** Command id → task id. */
export const TASK_COMMANDS: Record<string, string> = {
  'visualCoder.screenshotToCode': 'ui-to-code',
  'visualCoder.chartToCode': 'chart-to-code',
  'visualCoder.flowchartToCode': 'flowchart-to-code',
  'visualCoder.explainCodeImage': 'explain-code-image',
  'visualCoder.findBugInCodeImage': 'find-bug-in-code-image',
  'visualCoder.formulaToLatex': 'formula-to-latex',
  'visualCoder.tableToMarkdown': 'table-to-markdown',
};

/** Tasks whose answer is prose: always a Markdown document beside, never at the cursor. */
const EXPLANATION_TASKS = new Set(['explain-code-image', 'find-bug-in-code-image']);

export class TaskCommands {
  constructor(private readonly deps: TaskFeatureDeps) {}

  /** Runs one task on one image with the user's settings, choosing where the text goes. */
  async run(taskId: string, arg: unknown): Promise<void> {
    const { vs, tasks, images, lastEditor, settings, log } = this.deps;
    const task = await tasks.find(taskId);
    if (!task) return;
    // Remember the editor before any quick pick takes focus.
    const editor = lastEditor.editor;
    const image = await images.choose(arg, task.title);
    if (!image) return;
    const resolved = await tasks.chooseOptions(task);
    if (!resolved) return;
    const explanation = EXPLANATION_TASKS.has(task.id);
    const atCursor = !explanation && settings.output === 'cursor';
    const open = async () =>
      (atCursor ? await openCursorOutput(vs, editor) : undefined) ?? openNewOutput(vs, explanation ? 'markdown' : resolved.language, explanation);
    await tasks.runWithProgress(`${task.title} (${image.label})`, tasks.params(taskId, image.input, resolved.options), lazyEditorSink(log, open));
  }

  register(): vscode.Disposable[] {
    return Object.entries(TASK_COMMANDS).map(([command, taskId]) => this.deps.vs.commands.registerCommand(command, (arg: unknown) => this.run(taskId, arg)));
  }
}
