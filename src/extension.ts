/**
 * Composition root of the Visual Coder extension: the only module that uses the `vscode` runtime.
 * Every feature module receives what it needs from here as parameters.
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { FeatureDeps } from './features/feature-deps';
import { HostSupervisor } from './host/supervisor';
import { readInitializeParams, watchHostSettings } from './host/host-settings';
import { createHostStatusBar } from './ui/status-bar';
import { registerHostCommands } from './features/host-commands';
import { registerRemote } from './features/remote';
import { registerModels } from './features/models';
import { registerTasks } from './features/tasks';
import { registerCopyCode } from './features/copy-code';

let supervisor: HostSupervisor | undefined;

/** Returned from `activate()` for end-to-end tests; not a public API. */
export interface VisualCoderTestApi {
  hostPid(): number | undefined;
  hostState(): string;
}

export async function activate(context: vscode.ExtensionContext): Promise<VisualCoderTestApi> {
  const started = Date.now();
  const log = vscode.window.createOutputChannel('Visual Coder', { log: true });
  context.subscriptions.push(log);

  const host = new HostSupervisor({
    spawn: {
      command: process.execPath,
      args: [context.asAbsolutePath(path.join('dist', 'model-host.js')), 'serve'],
      cwd: context.extensionPath,
    },
    initializeParams: () => readInitializeParams(vscode, path.join(context.globalStorageUri.fsPath, 'models')),
    log,
  });
  supervisor = host;
  context.subscriptions.push({ dispose: () => void host.dispose() });

  const deps: FeatureDeps = { vs: vscode, context, log, host };
  context.subscriptions.push(createHostStatusBar(vscode, host));
  registerHostCommands(deps, host);
  context.subscriptions.push(watchHostSettings(vscode, () => host.restart()));
  // Feature modules: one register line each.
  registerRemote(deps);
  registerModels(deps);
  registerTasks(deps);
  registerCopyCode(deps);

  void host.start().catch((err: Error) => log.error(`model host did not start: ${err.message}`));
  log.info(`Visual Coder activated in ${Date.now() - started} ms`);
  return { hostPid: () => host.pid, hostState: () => host.state };
}

export async function deactivate(): Promise<void> {
  await supervisor?.dispose();
  supervisor = undefined;
}
