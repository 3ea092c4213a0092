/**
 * Where a command's image comes from, in order of convenience: the file the command was invoked on
 * (Explorer context menu, image preview title), else the user picks: the image open now, the
 * clipboard (read by the model host with the platform's tool) or a file.
 */
import type * as vscode from 'vscode';
import { ClipboardReadImageRequest, IMAGE_EXTENSIONS, imageExtensionOf, type ImageInput } from '../../model-host/protocol';
import type { HostClient } from '../host/host-client';
import { t } from '../l10n';

export interface ChosenImage {
  input: ImageInput;
  /** For titles and messages. */
  label: string;
}

export function isImageUri(uri: unknown): uri is vscode.Uri {
  const u = uri as vscode.Uri | undefined;
  return !!u && typeof u.fsPath === 'string' && imageExtensionOf(u.fsPath) !== undefined;
}

export class ImageSource {
  constructor(
    private readonly vs: Pick<typeof vscode, 'window' | 'workspace'>,
    private readonly host: HostClient,
  ) {}

  /** The image open in the active tab (the image preview), if any. */
  activeImage(): vscode.Uri | undefined {
    const tabInput = this.vs.window.tabGroups?.activeTabGroup.activeTab?.input as { uri?: vscode.Uri } | undefined;
    return isImageUri(tabInput?.uri) ? tabInput.uri : undefined;
  }

  private fromUri(uri: vscode.Uri): ChosenImage {
    return { input: { path: uri.fsPath }, label: this.vs.workspace.asRelativePath(uri) };
  }

  /** The image for a command: `arg` when it is an image file, else what the user chooses; undefined if they cancel. */
  async choose(arg: unknown, title: string): Promise<ChosenImage | undefined> {
    const { window } = this.vs;
    if (isImageUri(arg)) return this.fromUri(arg);
    // The image preview's title button passes the uri; with none, offer the active tab's if it is an image.
    const activeImage = this.activeImage();
    type Item = vscode.QuickPickItem & { id: 'active' | 'clipboard' | 'file' };
    const items: Item[] = [
      ...(activeImage
        ? [{ id: 'active' as const, label: t('$(file-media) {0}', this.vs.workspace.asRelativePath(activeImage)), description: t('the image open now') }]
        : []),
      { id: 'clipboard', label: t('$(clippy) Image from the clipboard'), description: t('copy a screenshot first') },
      { id: 'file', label: t('$(folder-opened) Choose an image file…'), description: IMAGE_EXTENSIONS.join(', ') },
    ];
    const picked = await window.showQuickPick(items, { title: t('{0}: which image?', title), placeHolder: t('Image source') });
    if (!picked) return undefined;
    if (picked.id === 'active' && activeImage) return this.fromUri(activeImage);
    if (picked.id === 'clipboard') return this.fromClipboard();
    const files = await window.showOpenDialog({
      canSelectMany: false,
      openLabel: t('Use this image'),
      title: t('{0}: choose an image', title),
      filters: { Images: [...IMAGE_EXTENSIONS] },
    });
    return files?.[0] ? this.fromUri(files[0]) : undefined;
  }

  private async fromClipboard(): Promise<ChosenImage | undefined> {
    try {
      await this.host.whenReady();
      const clip = await this.host.sendRequest(ClipboardReadImageRequest);
      return { input: { base64: clip.base64 }, label: t('clipboard image {0}×{1}', clip.width, clip.height) };
    } catch (err) {
      void this.vs.window.showErrorMessage((err as Error).message);
      return undefined;
    }
  }
}
