/**
 * Markdown: a CodeLens above each local image reference (Chart to code / Screenshot to code /
 * Explain) and the same as code actions when the cursor is on one. The result goes right below
 * the image line: code as a fenced block, an explanation as Markdown.
 */
import type * as vscode from 'vscode';
import * as path from 'node:path';
import type { TaskService } from '../tasks/task-service';
import { fenceTag } from '../../model-host/protocol/languages';
import { fencedBlock, findImageLinks, type ImageLink } from './markdown-image-links';
import { t } from '../l10n';

export interface InlineDeps {
  vs: typeof vscode;
  tasks: TaskService;
  log: Pick<vscode.LogOutputChannel, 'info'>;
}

export const INLINE_COMMAND = 'visualCoder.inline.imageToCode';

/** The actions offered on an image, in lens order. */
export const INLINE_ACTIONS: { taskId: string; title: string }[] = [
  { taskId: 'chart-to-code', title: t('Chart to code') },
  { taskId: 'ui-to-code', title: t('Screenshot to code') },
  { taskId: 'explain-code-image', title: t('Explain') },
];

/** The slice of `vscode.workspace` that decides which images an inline action may read. */
export type WorkspaceScope = Pick<typeof vscode.workspace, 'isTrusted' | 'getWorkspaceFolder'>;

/**
 * The file an image link names, when an inline action may read it: only in a trusted workspace, and
 * only inside the workspace folder of the document. A Markdown file must not be able to send
 * `/etc/…`, `~/.ssh/…` or `../../other-project/…` to a (possibly remote) model by a CodeLens click.
 */
export function readableImagePath(workspace: WorkspaceScope, document: vscode.TextDocument, target: string): string | undefined {
  if (!workspace.isTrusted || document.uri.scheme !== 'file') return undefined;
  const folder = workspace.getWorkspaceFolder(document.uri);
  if (!folder) return undefined;
  const file = path.resolve(path.dirname(document.uri.fsPath), target);
  const root = path.resolve(folder.uri.fsPath);
  return file.startsWith(root + path.sep) ? file : undefined;
}

function imagePath(workspace: WorkspaceScope, document: vscode.TextDocument, link: ImageLink): string | undefined {
  return readableImagePath(workspace, document, link.target);
}

/** Runs `taskId` on the image of `link` and inserts the result below `line` of the document. */
export async function insertBelowImage(deps: InlineDeps, uri: vscode.Uri, line: number, image: string, taskId: string): Promise<void> {
  const { vs, tasks, log } = deps;
  const document = await vs.workspace.openTextDocument(uri);
  const task = await tasks.find(taskId);
  if (!task) return;
  // One click, no question: the option last chosen for this task (e.g. in the palette), else its default.
  const { options, language } = tasks.rememberedOptions(task);
  const at = document.lineAt(Math.min(line, document.lineCount - 1)).range.end;
  let streamed = '';
  let finished = false;
  await tasks.runWithProgress(`${task.title} (${path.basename(image)})`, tasks.params(taskId, { path: image }, options), {
    // The block is inserted once at the end, so the document never holds half a fence.
    append: (text) => {
      streamed += text;
    },
    finish: async (result) => {
      finished = true;
      const text = language === 'markdown' ? `\n\n${result.output.trimEnd()}` : fencedBlock(result.output, fenceTag(result.language));
      const edit = new vs.WorkspaceEdit();
      edit.insert(document.uri, at, text);
      await vs.workspace.applyEdit(edit);
    },
    settle: async () => {
      if (!finished && streamed) log.info(`inline ${taskId} failed after ${streamed.length} characters; nothing inserted`);
    },
  });
}

class ImageLensProvider implements vscode.CodeLensProvider, vscode.CodeActionProvider {
  constructor(private readonly vs: typeof vscode) {}

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const { vs } = this;
    const lenses: vscode.CodeLens[] = [];
    for (const link of findImageLinks(document.getText())) {
      const image = imagePath(vs.workspace, document, link);
      if (!image) continue;
      const range = new vs.Range(link.line, link.start, link.line, link.end);
      for (const action of INLINE_ACTIONS) {
        lenses.push(
          new vs.CodeLens(range, {
            title: action.title,
            command: INLINE_COMMAND,
            arguments: [document.uri, link.line, image, action.taskId],
            tooltip: t('{0}: insert the result below this image', action.title),
          }),
        );
      }
    }
    return lenses;
  }

  provideCodeActions(document: vscode.TextDocument, range: vscode.Range | vscode.Selection): vscode.CodeAction[] {
    const { vs } = this;
    const link = findImageLinks(document.getText()).find(
      (l) => l.line === range.start.line && range.start.character >= l.start && range.start.character <= l.end,
    );
    const image = link && imagePath(vs.workspace, document, link);
    if (!link || !image) return [];
    return INLINE_ACTIONS.map((action) => {
      const codeAction = new vs.CodeAction(`Visual Coder: ${action.title}`, vs.CodeActionKind.RefactorRewrite);
      codeAction.command = { title: action.title, command: INLINE_COMMAND, arguments: [document.uri, link.line, image, action.taskId] };
      return codeAction;
    });
  }
}

export function registerMarkdownImageActions(deps: InlineDeps): vscode.Disposable[] {
  const { vs } = deps;
  const provider = new ImageLensProvider(vs);
  const selector: vscode.DocumentSelector = { language: 'markdown' };
  return [
    vs.languages.registerCodeLensProvider(selector, provider),
    vs.languages.registerCodeActionsProvider(selector, provider, { providedCodeActionKinds: [vs.CodeActionKind.RefactorRewrite] }),
    vs.commands.registerCommand(INLINE_COMMAND, async (uri: vscode.Uri, line: number, image: string, taskId: string) => {
      // The command can be invoked with any arguments (a command: link): check the image again.
      const document = await vs.workspace.openTextDocument(uri);
      const allowed = readableImagePath(vs.workspace, document, image);
      if (!allowed) {
        void vs.window.showWarningMessage(t('Visual Coder: inline actions read images inside this workspace folder only, and only in a trusted workspace.'));
        return;
      }
      return insertBelowImage(deps, uri, line, allowed, taskId);
    }),
  ];
}
