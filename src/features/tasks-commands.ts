/**
 * The palette commands (category "Visual Coder"): pick the image, pick the option (the last choice
 * comes first), and stream the result into a new editor, at the cursor, or — for explanations —
 * into a Markdown document beside.
 */
import type * as vscode from 'vscode';
import { TaskListRequest, type TaskInfo, type TaskOptionInfo } from '../../model-host/protocol';
import type { FeatureDeps } from './feature-deps';
import { chooseImage, type ChosenImage } from './image-source';
import { runTaskWithProgress, type TaskSink } from './tasks-progress';
import { openCursorOutput, openNewOutput, type StreamingRange } from './tasks-output';
import { readTaskSettings } from './tasks-settings';
import { lastTextEditor } from './last-editor';

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

let taskList: Promise<TaskInfo[]> | undefined;

/** The registry from the host, fetched once per session. */
export async function hostTasks(deps: FeatureDeps): Promise<TaskInfo[]> {
  taskList ??= deps.host.whenReady().then(() => deps.host.sendRequest(TaskListRequest));
  return taskList.catch((err) => {
    taskList = undefined;
    throw err;
  });
}

const lastChoiceKey = (taskId: string, option: string) => `visualCoder.lastChoice.${taskId}.${option}`;

/** Quick pick for the option, last choice first; undefined if the user cancels. */
export async function pickOption(deps: FeatureDeps, task: TaskInfo, option: TaskOptionInfo): Promise<string | undefined> {
  const { vs, context } = deps;
  const last = context.globalState.get<string>(lastChoiceKey(task.id, option.name));
  const ordered = [...option.choices].sort((a, b) => Number(b.id === last) - Number(a.id === last));
  const picked = await vs.window.showQuickPick(
    ordered.map((c) => ({ label: c.title, description: c.id === last ? 'last used' : c.id === option.default ? 'default' : undefined, id: c.id })),
    { title: `${task.title}: ${option.title}`, placeHolder: `Choose the ${option.title.toLowerCase()}` },
  );
  if (!picked) return undefined;
  await context.globalState.update(lastChoiceKey(task.id, option.name), picked.id);
  return picked.id;
}

/**
 * A sink that opens its output only when the first text arrives (or the run ends), so a run that
 * fails up front (bad image, no model) leaves the editors exactly as they were.
 */
function lazyRangeSink(deps: FeatureDeps, open: () => Promise<StreamingRange>): TaskSink {
  let range: Promise<StreamingRange> | undefined;
  const opened = () => (range ??= open());
  return {
    // `then` callbacks run in order, so deltas keep their order while the editor opens.
    append: (t) => void opened().then((r) => r.append(t)),
    finish: async (result) => {
      const r = await opened();
      await r.finish(result.output);
      const written = r.writtenText();
      deps.log.info(`${result.language} result: ${written.text.length} characters (sha256 ${written.sha256}) in ${r.document.uri.toString()}`);
    },
    settle: async () => {
      if (range) await (await range).settle();
    },
  };
}

/** Runs one task on one image with the user's settings, choosing where the text goes. */
export async function runTaskCommand(deps: FeatureDeps, taskId: string, arg: unknown): Promise<void> {
  const { vs } = deps;
  let tasks: TaskInfo[];
  try {
    tasks = await hostTasks(deps);
  } catch (err) {
    void vs.window.showErrorMessage(`Visual Coder: the model host is not available: ${(err as Error).message}`);
    return;
  }
  const task = tasks.find((t) => t.id === taskId);
  if (!task) return void vs.window.showErrorMessage(`Visual Coder: the model host has no task "${taskId}".`);
  // Remember the editor before any quick pick takes focus.
  const editor = lastTextEditor(vs);
  const image: ChosenImage | undefined = await chooseImage(deps, arg, task.title);
  if (!image) return;
  const options: Record<string, string> = {};
  let language = task.language;
  for (const option of task.options) {
    const choice = await pickOption(deps, task, option);
    if (!choice) return;
    options[option.name] = choice;
    language = option.choices.find((c) => c.id === choice)?.language ?? language;
  }
  const settings = readTaskSettings(vs);
  const explanation = EXPLANATION_TASKS.has(task.id);
  const open = async () => (!explanation && settings.output === 'cursor' ? await openCursorOutput(vs, editor) : undefined) ?? openNewOutput(vs, explanation ? 'markdown' : language, explanation);
  await runTaskWithProgress(
    deps,
    `${task.title} (${image.label})`,
    { taskId, image: image.input, options, generation: settings.generation, ocrAugment: settings.ocrAugment },
    lazyRangeSink(deps, open),
  );
}

export function registerTaskCommands(deps: FeatureDeps): vscode.Disposable[] {
  return Object.entries(TASK_COMMANDS).map(([command, taskId]) => deps.vs.commands.registerCommand(command, (arg: unknown) => runTaskCommand(deps, taskId, arg)));
}
