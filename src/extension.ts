/**
 * Composition root of the Visual Coder extension: the only module that uses the `vscode` runtime.
 * It builds the objects of the extension once, handing each the narrow collaborators it needs, and
 * registers what they contribute; no other module holds state of its own at module level.
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import { HostSupervisor } from './host/supervisor';
import { readInitializeParams, watchHostSettings } from './host/initialize-params';
import { followLogLevel, hostLogLevelFor } from './host/log-level';
import { SETTING, Settings } from './settings/settings';
import { remoteBackendForRun } from './settings/backend';
import { createHostStatusBar } from './ui/status-bar';
import { registerHostCommands } from './features/host-commands';
import { registerRemote } from './features/remote/remote';
import { ModelsFeature } from './features/models/models';
import { TaskCommands } from './features/task-commands';
import { CopyCodeFeature } from './features/copy-code';
import { TaskService } from './tasks/task-service';
import { ImageSource } from './tasks/image-source';
import { LastEditorTracker } from './tasks/last-editor';
import { ScreenshotPanels } from './panel/screenshot-panel';
import { registerMarkdownImageActions } from './inline/markdown-image-actions';
import { registerNotebookImageActions } from './inline/notebook-image-actions';
import { registerMcpServerDefinition } from './features/mcp-server-definition';
import { useTranslator } from './l10n';

let supervisor: HostSupervisor | undefined;

/** Returned from `activate()` for end-to-end tests; not a public API. */
export interface VisualCoderTestApi {
  hostPid(): number | undefined;
  hostState(): string;
}

export async function activate(context: vscode.ExtensionContext): Promise<VisualCoderTestApi> {
  const started = Date.now();
  const vs = vscode;
  // Every module's t() speaks the display language from here on (l10n/bundle.l10n.<language>.json).
  useTranslator((message, ...args) => vs.l10n.t(message, ...args));
  const log = vs.window.createOutputChannel('Visual Coder', { log: true });
  const settings = new Settings(vs, context.globalState);
  const clientName = `${vs.env.appName} ${vs.version}`;
  const defaultModelsDir = path.join(context.globalStorageUri.fsPath, 'models');

  const hostScript = context.asAbsolutePath(path.join('dist', 'model-host.js'));
  const host = new HostSupervisor({
    spawn: { command: process.execPath, args: [hostScript, 'serve'], cwd: context.extensionPath },
    initializeParams: () => readInitializeParams(settings, clientName, defaultModelsDir, hostLogLevelFor(log.logLevel)),
    log,
  });
  supervisor = host;

  const lastEditor = new LastEditorTracker(vs.window);
  const images = new ImageSource(vs, host);
  const models = new ModelsFeature({ vs, host, settings, log });
  const tasks = new TaskService({
    vs,
    host,
    settings,
    log,
    backend: () => remoteBackendForRun(settings, context.secrets),
    offerModel: () => models.offerModelDownload(),
    openSettings: (query) => vs.commands.executeCommand('workbench.action.openSettings', query),
  });
  const inline = { vs, tasks, log };

  context.subscriptions.push(
    log,
    { dispose: () => void host.dispose() },
    lastEditor,
    createHostStatusBar(vs, host),
    ...registerHostCommands({ vs, log, host }, host),
    watchHostSettings(vs.window, settings, host),
    followLogLevel(log, host),
    settings.onDidChange(Object.values(SETTING), (changed) => log.info(`settings changed: ${changed.join(', ')}`)),
    settings.onDidChange([SETTING.customStacks], () => tasks.forgetTasks()),
    ...registerRemote({ vs, host, settings, secrets: context.secrets, log }),
    ...models.register(),
    ...new TaskCommands({ vs, tasks, images, lastEditor, settings, log }).register(),
    ...new CopyCodeFeature({ vs, tasks, images, lastEditor, settings, log }).register(),
    ...new ScreenshotPanels({ vs, context, tasks, settings, lastEditor, log }).register(),
    ...registerMarkdownImageActions(inline),
    ...registerNotebookImageActions(inline),
    ...registerMcpServerDefinition({ vs, settings, hostScript, defaultModelsDir, version: String(context.extension.packageJSON.version), log }),
  );

  // No host yet: a window that opens a Markdown file or a notebook, and never turns an image into
  // code, pays for neither onnxruntime-node nor the device probe. The first request starts it.
  log.info(`Visual Coder activated in ${Date.now() - started} ms; the model host starts on first use`);
  return { hostPid: () => host.pid, hostState: () => host.state };
}

export async function deactivate(): Promise<void> {
  await supervisor?.dispose();
  supervisor = undefined;
}
