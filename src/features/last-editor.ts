/**
 * The text editor the user was last in. Webviews, image previews and quick picks take focus away
 * (then `activeTextEditor` is undefined), but "insert at the cursor" still means that editor.
 */
import type * as vscode from 'vscode';

let last: vscode.TextEditor | undefined;

export function trackLastTextEditor(vs: typeof vscode): vscode.Disposable {
  last = vs.window.activeTextEditor;
  return vs.window.onDidChangeActiveTextEditor((editor) => {
    if (editor) last = editor;
  });
}

/** The active text editor, else the last one that is still open. */
export function lastTextEditor(vs: typeof vscode): vscode.TextEditor | undefined {
  if (vs.window.activeTextEditor) return vs.window.activeTextEditor;
  return last && !last.document.isClosed ? last : undefined;
}
