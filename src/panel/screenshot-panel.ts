/**
 * The screenshot-to-code panel on the extension side: one panel at a time, restored after reloads
 * by a serializer (the webview keeps its own state), runs `ui-to-code` on the host and streams the
 * text to the webview; Insert / Open as file / Copy act on the editor.
 */
import type * as vscode from 'vscode';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { FeatureDeps } from '../features/feature-deps';
import { runTaskOnHost } from '../features/tasks-client';
import { hostTasks } from '../features/tasks-commands';
import { readBackend, readTaskSettings } from '../features/tasks-settings';
import { IMAGE_EXTENSIONS } from '../features/image-source';
import { lastTextEditor } from '../features/last-editor';
import { offerModelDownload } from '../features/models';
import { HostErrorCodes } from '../../model-host/protocol';
import { PANEL_VIEW_TYPE, type ExtensionToPanel, type PanelImage, type PanelToExtension } from './panel-messages';
import { panelHtml } from './panel-html';

const TASK_ID = 'ui-to-code';
const LAST_STACK_KEY = `visualCoder.lastChoice.${TASK_ID}.stack`;
const MIME: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', bmp: 'image/bmp', svg: 'image/svg+xml' };

export class ScreenshotPanel {
  private static current: ScreenshotPanel | undefined;
  private running: vscode.CancellationTokenSource | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  private constructor(
    private readonly deps: FeatureDeps,
    readonly panel: vscode.WebviewPanel,
  ) {
    const { vs, context } = deps;
    panel.webview.options = { enableScripts: true, localResourceRoots: [vs.Uri.joinPath(context.extensionUri, 'dist', 'webview'), vs.Uri.joinPath(context.extensionUri, 'media', 'panel')] };
    panel.webview.html = panelHtml(panel.webview, context.extensionUri, vs);
    panel.iconPath = vs.Uri.joinPath(context.extensionUri, 'media', 'panel', 'icon.svg');
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: PanelToExtension) => void this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** Opens (or reveals) the panel; with an image uri, loads that image into it. */
  static async show(deps: FeatureDeps, imageUri?: vscode.Uri): Promise<ScreenshotPanel> {
    const { vs } = deps;
    let current = ScreenshotPanel.current;
    if (current) current.panel.reveal();
    else {
      const panel = vs.window.createWebviewPanel(PANEL_VIEW_TYPE, 'Screenshot to Code', vs.ViewColumn.Beside, { enableScripts: true, retainContextWhenHidden: true });
      current = ScreenshotPanel.current = new ScreenshotPanel(deps, panel);
    }
    if (imageUri) await current.loadImage(imageUri);
    return current;
  }

  /** After a reload: the webview restores its own state (`getState`), this reconnects the extension side. */
  static revive(deps: FeatureDeps, panel: vscode.WebviewPanel): void {
    ScreenshotPanel.current?.panel.dispose();
    ScreenshotPanel.current = new ScreenshotPanel(deps, panel);
  }

  private post(message: ExtensionToPanel): void {
    void this.panel.webview.postMessage(message);
  }

  private async loadImage(uri: vscode.Uri): Promise<void> {
    const ext = path.extname(uri.fsPath).slice(1).toLowerCase();
    try {
      const bytes = await fs.readFile(uri.fsPath);
      const image: PanelImage = { base64: bytes.toString('base64'), mime: MIME[ext] ?? 'image/png', name: path.basename(uri.fsPath) };
      this.post({ type: 'image', image });
    } catch (err) {
      this.post({ type: 'notice', message: `Cannot read ${uri.fsPath}: ${(err as Error).message}` });
    }
  }

  private async onMessage(message: PanelToExtension): Promise<void> {
    const { vs, context } = this.deps;
    switch (message.type) {
      case 'ready': {
        try {
          const task = (await hostTasks(this.deps)).find((t) => t.id === TASK_ID);
          const option = task?.options[0];
          const tailwind = await fs.readFile(path.join(context.extensionPath, 'dist', 'vendor', 'tailwindcss-browser.js'), 'utf8').catch(() => '');
          this.post({
            type: 'init',
            stacks: option?.choices ?? [],
            defaultStack: context.globalState.get<string>(LAST_STACK_KEY) ?? option?.default ?? 'html-tailwind',
            tailwind,
          });
        } catch (err) {
          this.post({ type: 'failed', message: `The model host is not available: ${(err as Error).message}` });
        }
        break;
      }
      case 'generate':
        await this.generate(message.image, message.stack);
        break;
      case 'cancel':
        this.running?.cancel();
        break;
      case 'chooseImage': {
        const files = await vs.window.showOpenDialog({ canSelectMany: false, filters: { Images: IMAGE_EXTENSIONS }, openLabel: 'Use this image' });
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
        this.post({ type: 'notice', message: 'Copied to the clipboard.' });
        break;
    }
  }

  private async generate(image: PanelImage, stack: string): Promise<void> {
    const { vs, context } = this.deps;
    this.running?.cancel();
    const source = (this.running = new vs.CancellationTokenSource());
    await context.globalState.update(LAST_STACK_KEY, stack);
    const settings = readTaskSettings(vs);
    this.post({ type: 'started' });
    try {
      const result = await runTaskOnHost(
        this.deps.host,
        { taskId: TASK_ID, image: { base64: image.base64 }, options: { stack }, generation: settings.generation, ocrAugment: settings.ocrAugment, backend: await readBackend(this.deps) },
        (text) => this.post({ type: 'delta', text }),
        source.token,
      );
      const message =
        result.finishReason === 'length' ? 'Stopped at the token limit (visualCoder.maxNewTokens).' : result.finishReason === 'error' ? `Cut off: ${result.error ?? 'unknown reason'}; what arrived is kept.` : undefined;
      this.post({ type: 'done', output: result.output, language: result.language, finishReason: result.finishReason, message });
    } catch (err) {
      const code = (err as { code?: number }).code;
      const text = (err as Error).message;
      this.deps.log.error(`panel: ${text}`);
      this.post({ type: 'failed', message: code === HostErrorCodes.NoModel ? text : `Failed: ${text}` });
      if (code === HostErrorCodes.NoModel) void offerModelDownload(this.deps);
    } finally {
      if (this.running === source) this.running = undefined;
      source.dispose();
    }
  }

  private async insert(code: string, language: string): Promise<void> {
    const { vs } = this.deps;
    // The panel has focus, so this is the text editor the user was in before.
    const editor = lastTextEditor(vs);
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
    if (ScreenshotPanel.current === this) ScreenshotPanel.current = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

export function registerScreenshotPanel(deps: FeatureDeps): vscode.Disposable[] {
  const { vs } = deps;
  return [
    vs.commands.registerCommand('visualCoder.openPanel', (arg?: unknown) => {
      const uri = arg as vscode.Uri | undefined;
      return ScreenshotPanel.show(deps, uri && typeof uri.fsPath === 'string' ? uri : undefined);
    }),
    vs.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel) {
        ScreenshotPanel.revive(deps, panel);
      },
    }),
  ];
}
