/**
 * Composition root of the Visual Coder extension: the only module that uses the `vscode` runtime.
 * Every feature module receives what it needs from here as parameters.
 */
import * as vscode from 'vscode';

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = vscode.window.createOutputChannel('Visual Coder', { log: true });
  context.subscriptions.push(log);
  log.info('Visual Coder activated');
}

export function deactivate(): void {}
