/**
 * The text editor the user was last in. Webviews, image previews and quick picks take focus away
 * (then `activeTextEditor` is undefined), but "insert at the cursor" still means that editor.
 */
import type * as vscode from 'vscode';

export class LastEditorTracker implements vscode.Disposable {
  private last: vscode.TextEditor | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly window: Pick<typeof vscode.window, 'activeTextEditor' | 'onDidChangeActiveTextEditor' | 'visibleTextEditors'>) {
    // The extension activates on first use, often with an image preview focused: then the text
    // editor on screen is the best guess of the one the user was in.
    this.last = window.activeTextEditor ?? window.visibleTextEditors[0];
    this.subscription = window.onDidChangeActiveTextEditor((editor) => {
      if (editor) this.last = editor;
    });
  }

  /** The active text editor, else the last one that is still open. */
  get editor(): vscode.TextEditor | undefined {
    if (this.window.activeTextEditor) return this.window.activeTextEditor;
    return this.last && !this.last.document.isClosed ? this.last : undefined;
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
