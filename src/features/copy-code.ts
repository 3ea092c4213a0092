/**
 * "Copy Code from Image" (`visualCoder.copyCodeFromImage`): OCR of a screenshot of code on the model
 * host (task `transcribe-code`), the code put on the clipboard and into the editor, at the cursor
 * or in a new editor with the detected language (asked when it could not be detected). Characters
 * the recogniser was unsure of get an information diagnostic so the user checks them.
 */
import type * as vscode from 'vscode';
import type { TaskFeatureDeps } from './task-feature-deps';
import type { TaskRunResult } from '../../model-host/protocol';
import type { ChosenImage } from '../tasks/image-source';
import { LANGUAGE_CHOICES, layoutDoubtLines, lowConfidenceRanges } from './copy-code-ranges';
import { t } from '../l10n';

export const COPY_CODE_COMMAND = 'visualCoder.copyCodeFromImage';
const TITLE = 'Copy Code from Image';

export class CopyCodeFeature {
  private readonly diagnostics: vscode.DiagnosticCollection;

  constructor(private readonly deps: TaskFeatureDeps) {
    this.diagnostics = deps.vs.languages.createDiagnosticCollection('visualCoder.ocr');
  }

  private async transcribe(image: ChosenImage): Promise<TaskRunResult | undefined> {
    const { tasks, settings } = this.deps;
    let result: TaskRunResult | undefined;
    // OCR runs in the host whatever the backend is: the remote settings are not read.
    const options = { region: settings.copyCodeRegion };
    const params = { ...tasks.params('transcribe-code', image.input, options), backend: { kind: 'local' as const } };
    await tasks.runWithProgress(t('reading code from {0}…', image.label), params, {
      append: () => undefined,
      settle: async () => undefined,
      finish: async (r) => void (result = r),
    });
    return result;
  }

  private async targetEditor(editor: vscode.TextEditor | undefined, language: string): Promise<vscode.TextEditor | undefined> {
    const { vs, settings } = this.deps;
    if (editor && settings.output === 'cursor') return editor;
    let languageId = language;
    if (languageId === 'plaintext') {
      const picked = await vs.window.showQuickPick(LANGUAGE_CHOICES, { title: t('{0}: which language is it?', TITLE), placeHolder: 'plaintext' });
      languageId = picked ?? 'plaintext';
    }
    const document = await vs.workspace.openTextDocument({ language: languageId, content: '' });
    return vs.window.showTextDocument(document);
  }

  async run(arg: unknown): Promise<void> {
    const { vs, images, lastEditor, log } = this.deps;
    const editor = lastEditor.editor;
    const image = await images.choose(arg, TITLE);
    if (!image) return;
    const result = await this.transcribe(image);
    if (!result) return;
    const code = result.output;
    if (!code.trim()) {
      void vs.window.showInformationMessage(t('Visual Coder: no code found in {0}.', image.label));
      return;
    }
    await vs.env.clipboard.writeText(code);
    const target = await this.targetEditor(editor, result.language);
    if (!target) return;
    const at = target.selection.start;
    const ok = await target.edit((edit) => edit.replace(target.selection, code));
    if (!ok) {
      void vs.window.showWarningMessage(t('Visual Coder: the editor refused the edit; the code is on the clipboard.'));
      return;
    }
    const ranges = lowConfidenceRanges(code, result.lines, at);
    const doubtful = layoutDoubtLines(code, result.lines, at);
    const mark = (range: vscode.Range, message: string) => {
      const d = new vs.Diagnostic(range, message, vs.DiagnosticSeverity.Information);
      d.source = 'Visual Coder OCR';
      return d;
    };
    this.diagnostics.set(target.document.uri, [
      ...ranges.map((r) =>
        mark(new vs.Range(r.line, r.character, r.line, r.character + 1), `Visual Coder: check this character ("${r.text}" was hard to read)`),
      ),
      ...doubtful.map((l) =>
        mark(
          new vs.Range(l.line, 0, l.line, l.length),
          l.reason === 'gutter'
            ? 'Visual Coder: check the start of this line (the line-number gutter beside it was hard to read)'
            : "Visual Coder: check this line's indentation (it was inferred with low certainty)",
        ),
      ),
    ]);
    log.info(
      `${TITLE}: ${code.split('\n').length} lines of ${result.language} from ${image.label}, ${ranges.length} characters and ${doubtful.length} lines to check, ${Math.round(result.timings.totalMs)} ms`,
    );
    if (ranges.length) {
      void vs.window.showInformationMessage(t('Visual Coder: {0} character(s) were hard to read; they are marked in the Problems view.', ranges.length));
    }
  }

  register(): vscode.Disposable[] {
    const { vs } = this.deps;
    return [
      this.diagnostics,
      vs.commands.registerCommand(COPY_CODE_COMMAND, (arg: unknown) => this.run(arg)),
      vs.workspace.onDidChangeTextDocument((e) => clearEditedMarks(this.diagnostics, e)),
      vs.workspace.onDidCloseTextDocument((doc) => this.diagnostics.delete(doc.uri)),
    ];
  }
}

/** Drops the marks of a line once the user edits it: they have looked at it. */
function clearEditedMarks(diagnostics: vscode.DiagnosticCollection, event: vscode.TextDocumentChangeEvent): void {
  const current = diagnostics.get(event.document.uri);
  if (!current?.length || event.contentChanges.length === 0) return;
  const kept = current.filter((d) => !event.contentChanges.some((c) => c.range.start.line <= d.range.end.line && c.range.end.line >= d.range.start.line));
  if (kept.length !== current.length) diagnostics.set(event.document.uri, kept.length ? kept : undefined);
}
