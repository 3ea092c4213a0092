/**
 * Jupyter notebooks: a cell toolbar action on cells with an image output runs a task on the first
 * image and inserts the result as a new cell below (code cell for code, Markdown cell for an
 * explanation). Best effort: VS Code offers no per-output toolbar to extensions, so the action
 * sits on the cell and uses the cell's first image output.
 */
import type * as vscode from 'vscode';
import { IMAGE_MIME_TYPES } from '../../model-host/protocol';
import { INLINE_ACTIONS, type InlineDeps } from './markdown-image-actions';
import { t } from '../l10n';

export const NOTEBOOK_COMMAND = 'visualCoder.notebook.imageOutputToCode';
const IMAGE_MIMES = [...new Set(Object.values(IMAGE_MIME_TYPES))];

/** Output item bytes → image bytes: Jupyter keeps PNG/JPEG base64-encoded in some versions. */
export function outputImageBytes(data: Uint8Array, mime: string): Buffer {
  const bytes = Buffer.from(data);
  if (mime === 'image/svg+xml') return bytes;
  const text = bytes.subarray(0, 8).toString('latin1');
  const looksBinary = bytes[0] === 0x89 || bytes[0] === 0xff || text.startsWith('GIF') || text.startsWith('RIFF') || text.startsWith('BM');
  return looksBinary ? bytes : Buffer.from(bytes.toString('latin1').replace(/\s+/g, ''), 'base64');
}

async function run(deps: InlineDeps, cell: vscode.NotebookCell | undefined): Promise<void> {
  const { vs, tasks } = deps;
  cell ??= vs.window.activeNotebookEditor?.notebook.cellAt(vs.window.activeNotebookEditor.selection.start);
  const item = cell?.outputs.flatMap((o) => o.items).find((i) => IMAGE_MIMES.includes(i.mime));
  if (!cell || !item) return void vs.window.showInformationMessage(t('Visual Coder: this cell has no image output.'));
  const picked = await vs.window.showQuickPick(
    INLINE_ACTIONS.map((a) => ({ label: a.title, taskId: a.taskId })),
    { title: t('Visual Coder: image output to…') },
  );
  if (!picked) return;
  const task = await tasks.find(picked.taskId);
  if (!task) return;
  const { options } = tasks.rememberedOptions(task);
  // The image goes to the host as bytes: no temporary file of the user's output is written anywhere.
  const image = { base64: outputImageBytes(item.data, item.mime).toString('base64') };
  await tasks.runWithProgress(t('{0} (cell {1})', task.title, cell.index + 1), tasks.params(task.id, image, options), {
    append: () => undefined,
    settle: async () => undefined,
    finish: async (result) => {
      const markdown = result.language === 'markdown';
      const data = new vs.NotebookCellData(
        markdown ? vs.NotebookCellKind.Markup : vs.NotebookCellKind.Code,
        result.output.trimEnd(),
        markdown ? 'markdown' : result.language,
      );
      const edit = new vs.WorkspaceEdit();
      edit.set(cell!.notebook.uri, [vs.NotebookEdit.insertCells(cell!.index + 1, [data])]);
      await vs.workspace.applyEdit(edit);
    },
  });
}

export function registerNotebookImageActions(deps: InlineDeps): vscode.Disposable[] {
  return [deps.vs.commands.registerCommand(NOTEBOOK_COMMAND, (cell?: vscode.NotebookCell) => run(deps, cell))];
}
