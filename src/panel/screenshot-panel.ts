/**
 * The screenshot-to-code panel on the extension side: one panel at a time, restored after reloads
 * by a serializer (the webview keeps its own state), runs `ui-to-code` on the host and streams the
 * text to the webview; Insert / Open as file / Copy act on the editor.
 */
import type * as vscode from 'vscode';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { HostErrorCodes, hostErrorCode, IMAGE_EXTENSIONS, IMAGE_MIME_TYPES, imageExtensionOf } from '../../model-host/protocol';
import type { TaskService } from '../tasks/task-service';
import type { LastEditorTracker } from '../tasks/last-editor';
import { SETTING, type Settings } from '../settings/settings';
import { PANEL_VIEW_TYPE, type ExtensionToPanel, type PanelImage, type PanelToExtension } from './panel-messages';
import { panelHtml } from './panel-html';
import { t } from '../l10n';
import { panelStrings } from './panel-strings';

const TASK_ID = 'ui-to-code';
const STACK_OPTION = 'stack';

export interface PanelDeps {
  vs: typeof vscode;
  context: Pick<vscode.ExtensionContext, 'extensionUri' | 'extensionPath'>;
  tasks: TaskService;
  settings: Settings;
  lastEditor: LastEditorTracker;
  log: Pick<vscode.LogOutputChannel, 'error'>;
}

export class ScreenshotPanel {
  private running: vscode.CancellationTokenSource | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly deps: PanelDeps,
    readonly panel: vscode.WebviewPanel,
    private readonly onDispose: (panel: ScreenshotPanel) => void,
  ) {
    const { vs, context } = deps;
    panel.webview.options = {
      enableScripts: true,
      localResourceRoots: [vs.Uri.joinPath(context.extensionUri, 'dist', 'webview'), vs.Uri.joinPath(context.extensionUri, 'media', 'panel')],
    };
    panel.webview.html = panelHtml(panel.webview, context.extensionUri, vs);
    panel.iconPath = vs.Uri.joinPath(context.extensionUri, 'media', 'panel', 'icon.svg');
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: PanelToExtension) => void this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
      // An edited stack list shows in the open panel at once.
      deps.settings.onDidChange([SETTING.customStacks], () => {
        deps.tasks.forgetTasks();
        return this.sendInit();
      }),
    );
  }

  private post(message: ExtensionToPanel): void {
    void this.panel.webview.postMessage(message);
  }

  async loadImage(uri: vscode.Uri): Promise<void> {
    const ext = imageExtensionOf(uri.fsPath);
    try {
      const bytes = await fs.readFile(uri.fsPath);
      const image: PanelImage = { base64: bytes.toString('base64'), mime: (ext && IMAGE_MIME_TYPES[ext]) ?? 'image/png', name: path.basename(uri.fsPath) };
      this.post({ type: 'image', image });
    } catch (err) {
      this.post({ type: 'notice', message: t('Cannot read {0}: {1}', uri.fsPath, (err as Error).message) });
    }
  }

  private async onMessage(message: PanelToExtension): Promise<void> {
    const { vs } = this.deps;
    switch (message.type) {
      case 'ready':
        await this.sendInit();
        break;
      case 'generate':
        await this.generate(message.image, message.stack);
        break;
      case 'cancel':
        this.running?.cancel();
        break;
      case 'chooseImage': {
        const files = await vs.window.showOpenDialog({ canSelectMany: false, filters: { Images: [...IMAGE_EXTENSIONS] }, openLabel: t('Use this image') });
        if (files?.[0]) await this.loadImage(files[0]);
        break;
      }
      case 'insert':
        await this.insert(message.code, message.language);
        break;
      case 'openAsFile': {
        const doc = await vs.workspace.openTextDocument({ language: message.language, content: message.code });
        await vs.window.showTextDocument(doc, { viewColumn: vs.ViewColumn.One, preview: false });
        break;
      }
      case 'copy':
        await vs.env.clipboard.writeText(message.code);
        this.post({ type: 'notice', message: t('Copied to the clipboard.') });
        break;
    }
  }

  /** The stacks (built-in and the user's), the one to preselect and the preview's runtime. */
  private async sendInit(): Promise<void> {
    const { context, tasks, settings } = this.deps;
    try {
      const task = (await tasks.tasks()).find((t) => t.id === TASK_ID);
      const option = task?.options[0];
      const tailwind = await fs.readFile(path.join(context.extensionPath, 'dist', 'vendor', 'tailwindcss-browser.js'), 'utf8').catch(() => '');
      this.post({
        type: 'init',
        stacks: option?.choices ?? [],
        defaultStack: settings.lastChoice(TASK_ID, STACK_OPTION) ?? option?.default ?? 'html-tailwind',
        tailwind,
        strings: panelStrings(t),
      });
    } catch (err) {
      this.post({ type: 'failed', message: t('The model host is not available: {0}', (err as Error).message) });
    }
  }

  private async generate(image: PanelImage, stack: string): Promise<void> {
    const { vs, tasks, settings } = this.deps;
    this.running?.cancel();
    const source = (this.running = new vs.CancellationTokenSource());
    await settings.rememberChoice(TASK_ID, STACK_OPTION, stack);
    this.post({ type: 'started' });
    try {
      const result = await tasks.run(
        tasks.params(TASK_ID, { base64: image.base64 }, { [STACK_OPTION]: stack }),
        (text) => this.post({ type: 'delta', text }),
        source.token,
      );
      const message =
        result.finishReason === 'length'
          ? t('Stopped at the token limit (visualCoder.maxNewTokens).')
          : result.finishReason === 'error'
            ? t('Cut off: {0}; what arrived is kept.', result.error ?? t('unknown reason'))
            : undefined;
      this.post({ type: 'done', output: result.output, language: result.language, finishReason: result.finishReason, message });
    } catch (err) {
      const text = (err as Error).message;
      this.deps.log.error(`panel: ${text}`);
      this.post({ type: 'failed', message: hostErrorCode(err) === HostErrorCodes.NoModel ? text : t('Failed: {0}', text) });
      void tasks.offerModelIfMissing(err);
    } finally {
      if (this.running === source) this.running = undefined;
      source.dispose();
    }
  }

  private async insert(code: string, language: string): Promise<void> {
    const { vs } = this.deps;
    // The panel has focus, so this is the text editor the user was in before.
    const editor = this.deps.lastEditor.editor;
    if (editor) {
      const shown = await vs.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn, selection: editor.selection, preserveFocus: false });
      await shown.edit((edit) => edit.replace(shown.selection, code));
      return;
    }
    const doc = await vs.workspace.openTextDocument({ language, content: code });
    await vs.window.showTextDocument(doc, { viewColumn: vs.ViewColumn.One, preview: false });
  }

  private dispose(): void {
    this.running?.cancel();
    this.onDispose(this);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** The one screenshot panel of the window: opened, revealed, restored after a reload. */
export class ScreenshotPanels {
  private current: ScreenshotPanel | undefined;

  constructor(private readonly deps: PanelDeps) {}

  private adopt(panel: vscode.WebviewPanel): ScreenshotPanel {
    const created = new ScreenshotPanel(this.deps, panel, (p) => {
      if (this.current === p) this.current = undefined;
    });
    this.current = created;
    return created;
  }

  /** Opens (or reveals) the panel; with an image uri, loads that image into it. */
  async show(imageUri?: vscode.Uri): Promise<ScreenshotPanel> {
    const { vs } = this.deps;
    let current = this.current;
    if (current) current.panel.reveal();
    else {
      current = this.adopt(
        vs.window.createWebviewPanel(PANEL_VIEW_TYPE, 'Screenshot to Code', vs.ViewColumn.Beside, { enableScripts: true, retainContextWhenHidden: true }),
      );
    }
    if (imageUri) await current.loadImage(imageUri);
    return current;
  }

  /** After a reload: the webview restores its own state (`getState`), this reconnects the extension side. */
  revive(panel: vscode.WebviewPanel): void {
    this.current?.panel.dispose();
    this.adopt(panel);
  }

  register(): vscode.Disposable[] {
    const { vs } = this.deps;
    return [
      vs.commands.registerCommand('visualCoder.openPanel', (arg?: unknown) => {
        const uri = arg as vscode.Uri | undefined;
        return this.show(uri && typeof uri.fsPath === 'string' ? uri : undefined);
      }),
      vs.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel: vscode.WebviewPanel) => this.revive(panel),
      }),
    ];
  }
}
