/**
 * Where a task's text goes while it streams: a new editor (with the task's language), the cursor /
 * selection of the active editor, or a Markdown document beside. Raw text is appended as it comes
 * (batched, one edit per frame-ish) and, at the end, the written range is replaced with exactly the
 * post-processed output. If the run fails midway, what was written stays.
 */
import type * as vscode from 'vscode';
import { createHash } from 'node:crypto';
import type { TaskSink } from './task-service';

/** How long deltas are gathered into one edit: fewer edits keep the editor and undo stack calm. */
const FLUSH_MS = 40;

export class StreamingRange {
  private written = 0;
  private pending = '';
  private timer: ReturnType<typeof setTimeout> | undefined;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly vs: typeof vscode,
    readonly document: vscode.TextDocument,
    /** Document offset where the text starts. */
    private readonly start: number,
  ) {}

  append(text: string): void {
    this.pending += text;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, FLUSH_MS);
  }

  private flush(): Promise<unknown> {
    const text = this.pending;
    this.pending = '';
    if (!text) return this.chain;
    this.chain = this.chain.then(async () => {
      const at = this.document.positionAt(this.start + this.written);
      const edit = new this.vs.WorkspaceEdit();
      edit.insert(this.document.uri, at, text);
      if (await this.vs.workspace.applyEdit(edit)) this.written += text.length;
    });
    return this.chain;
  }

  /** Waits for streamed edits, then replaces everything written with `text`. */
  async finish(text: string): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
    await this.chain;
    const range = new this.vs.Range(this.document.positionAt(this.start), this.document.positionAt(this.start + this.written));
    const edit = new this.vs.WorkspaceEdit();
    edit.replace(this.document.uri, range, text);
    await this.vs.workspace.applyEdit(edit);
    this.written = text.length;
  }

  /** What the document holds where the text was written, and its sha256 (the log line tests and bug reports use). */
  writtenText(): { text: string; sha256: string } {
    const text = this.document.getText(new this.vs.Range(this.document.positionAt(this.start), this.document.positionAt(this.start + this.written)));
    return { text, sha256: createHash('sha256').update(text).digest('hex') };
  }

  /** Writes what is still pending (after a failure) without replacing anything. */
  async settle(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
    await this.chain;
  }
}

/** A new untitled document in `language`, shown in the active column or beside. */
export async function openNewOutput(vs: typeof vscode, language: string, beside: boolean): Promise<StreamingRange> {
  const document = await vs.workspace.openTextDocument({ language, content: '' });
  await vs.window.showTextDocument(document, { viewColumn: beside ? vs.ViewColumn.Beside : vs.ViewColumn.Active, preview: false });
  return new StreamingRange(vs, document, 0);
}

/** At the cursor of `editor`, replacing its selection; undefined when there is no editor. */
export async function openCursorOutput(vs: typeof vscode, editor: vscode.TextEditor | undefined): Promise<StreamingRange | undefined> {
  if (!editor) return undefined;
  const selection = editor.selection;
  const document = editor.document;
  const start = document.offsetAt(selection.start);
  if (!selection.isEmpty) {
    const edit = new vs.WorkspaceEdit();
    edit.delete(document.uri, selection);
    await vs.workspace.applyEdit(edit);
  }
  return new StreamingRange(vs, document, start);
}

/**
 * A sink that opens its output only when the first text arrives (or the run ends), so a run that
 * fails up front (bad image, no model) leaves the editors exactly as they were. It logs what the
 * document holds where it wrote, with its sha256 (the line bug reports and the e2e tests read).
 */
export function lazyEditorSink(log: Pick<vscode.LogOutputChannel, 'info'>, open: () => Promise<StreamingRange>): TaskSink {
  let range: Promise<StreamingRange> | undefined;
  const opened = () => (range ??= open());
  return {
    // `then` callbacks run in order, so deltas keep their order while the editor opens.
    append: (t) => void opened().then((r) => r.append(t)),
    finish: async (result) => {
      const r = await opened();
      await r.finish(result.output);
      const written = r.writtenText();
      log.info(`${result.language} result: ${written.text.length} characters (sha256 ${written.sha256}) in ${r.document.uri.toString()}`);
    },
    settle: async () => {
      if (range) await (await range).settle();
    },
  };
}
