/**
 * "Copy Code from Image" (`visualCoder.copyCodeFromImage`): OCR of a screenshot of code on the model
 * host (task `transcribe-code`), the code put on the clipboard and into the editor, at the cursor
 * or in a new editor with the detected language (asked when it could not be detected). Characters
 * the recogniser was unsure of get an information diagnostic so the user checks them.
 */
import type * as vscode from 'vscode';
import type { TaskRunResult } from '../../model-host/protocol';
import type { FeatureDeps } from './feature-deps';
import { chooseImage } from './image-source';
import { lastTextEditor } from './last-editor';
import { readTaskSettings } from './tasks-settings';
import { runTaskOnHost } from './tasks-client';
import { LANGUAGE_CHOICES, lowConfidenceRanges } from './copy-code-ranges';

export const COPY_CODE_COMMAND = 'visualCoder.copyCodeFromImage';
const TITLE = 'Copy Code from Image';

async function transcribe(deps: FeatureDeps, image: { path?: string; base64?: string }, label: string): Promise<TaskRunResult | undefined> {
  const { vs } = deps;
  return vs.window.withProgress(
    { location: vs.ProgressLocation.Notification, title: `Visual Coder: reading code from ${label}…`, cancellable: true },
    async (_progress, token) => {
      try {
        return await runTaskOnHost(deps.host, { taskId: 'transcribe-code', image }, () => undefined, token);
      } catch (err) {
        if (token.isCancellationRequested) return undefined;
        void vs.window.showErrorMessage(`Visual Coder: ${TITLE} failed: ${(err as Error).message}`);
        return undefined;
      }
    },
  );
}

async function targetEditor(deps: FeatureDeps, editor: vscode.TextEditor | undefined, language: string): Promise<vscode.TextEditor | undefined> {
  const { vs } = deps;
  if (editor && readTaskSettings(vs).output === 'cursor') return editor;
  let languageId = language;
  if (languageId === 'plaintext') {
    const picked = await vs.window.showQuickPick(LANGUAGE_CHOICES, { title: `${TITLE}: which language is it?`, placeHolder: 'plaintext' });
    languageId = picked ?? 'plaintext';
  }
  const document = await vs.workspace.openTextDocument({ language: languageId, content: '' });
  return vs.window.showTextDocument(document);
}

export async function copyCodeFromImage(deps: FeatureDeps, diagnostics: vscode.DiagnosticCollection, arg: unknown): Promise<void> {
  const { vs } = deps;
  const editor = lastTextEditor(vs);
  const image = await chooseImage(deps, arg, TITLE);
  if (!image) return;
  const result = await transcribe(deps, image.input, image.label);
  if (!result) return;
  const code = result.output;
  if (!code.trim()) {
    void vs.window.showInformationMessage(`Visual Coder: no code found in ${image.label}.`);
    return;
  }
  await vs.env.clipboard.writeText(code);
  const target = await targetEditor(deps, editor, result.language);
  if (!target) return;
  const at = target.selection.start;
  const ok = await target.edit((edit) => edit.replace(target.selection, code));
  if (!ok) {
    void vs.window.showWarningMessage('Visual Coder: the editor refused the edit; the code is on the clipboard.');
    return;
  }
  const ranges = lowConfidenceRanges(code, result.lines, at);
  diagnostics.set(
    target.document.uri,
    ranges.map((r) => {
      const d = new vs.Diagnostic(new vs.Range(r.line, r.character, r.line, r.character + 1), `Visual Coder: check this character ("${r.text}" was hard to read)`, vs.DiagnosticSeverity.Information);
      d.source = 'Visual Coder OCR';
      return d;
    }),
  );
  deps.log.info(`${TITLE}: ${code.split('\n').length} lines of ${result.language} from ${image.label}, ${ranges.length} characters to check, ${Math.round(result.timings.totalMs)} ms`);
  if (ranges.length) void vs.window.showInformationMessage(`Visual Coder: ${ranges.length} character(s) were hard to read; they are marked in the Problems view.`);
}

/** Drops the marks of a line once the user edits it: they have looked at it. */
function clearEditedMarks(diagnostics: vscode.DiagnosticCollection, event: vscode.TextDocumentChangeEvent): void {
  const current = diagnostics.get(event.document.uri);
  if (!current?.length || event.contentChanges.length === 0) return;
  const kept = current.filter((d) => !event.contentChanges.some((c) => c.range.start.line <= d.range.end.line && c.range.end.line >= d.range.start.line));
  if (kept.length !== current.length) diagnostics.set(event.document.uri, kept.length ? kept : undefined);
}

export function registerCopyCode(deps: FeatureDeps): void {
  const { vs, context } = deps;
  const diagnostics = vs.languages.createDiagnosticCollection('visualCoder.ocr');
  context.subscriptions.push(
    diagnostics,
    vs.commands.registerCommand(COPY_CODE_COMMAND, (arg: unknown) => copyCodeFromImage(deps, diagnostics, arg)),
    vs.workspace.onDidChangeTextDocument((e) => clearEditedMarks(diagnostics, e)),
    vs.workspace.onDidCloseTextDocument((doc) => diagnostics.delete(doc.uri)),
  );
}
