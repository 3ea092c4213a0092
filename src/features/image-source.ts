/**
 * Where a command's image comes from, in order of convenience: the file the command was invoked on
 * (Explorer context menu, image preview title), else the user picks: the clipboard (read by the
 * model host with the platform's tool) or a file.
 */
import type * as vscode from 'vscode';
import { ClipboardReadImageRequest, type ImageInput } from '../../model-host/protocol';
import type { FeatureDeps } from './feature-deps';

export const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'gif', 'webp', 'bmp', 'svg'];

export interface ChosenImage {
  input: ImageInput;
  /** For titles and messages. */
  label: string;
}

function isImageUri(uri: unknown): uri is vscode.Uri {
  const u = uri as vscode.Uri | undefined;
  return !!u && typeof u.fsPath === 'string' && IMAGE_EXTENSIONS.includes(u.fsPath.split('.').pop()?.toLowerCase() ?? '');
}

/** The image for a command: `arg` when it is an image file, else what the user chooses; undefined if they cancel. */
export async function chooseImage(deps: FeatureDeps, arg: unknown, title: string): Promise<ChosenImage | undefined> {
  const { vs } = deps;
  if (isImageUri(arg)) return { input: { path: arg.fsPath }, label: vs.workspace.asRelativePath(arg) };
  // The image preview's title button passes the uri; with none, use the active tab's if it is an image.
  const tabInput = vs.window.tabGroups?.activeTabGroup.activeTab?.input as { uri?: vscode.Uri } | undefined;
  const activeImage = isImageUri(tabInput?.uri) ? tabInput!.uri! : undefined;

  type Item = vscode.QuickPickItem & { id: 'active' | 'clipboard' | 'file' };
  const items: Item[] = [
    ...(activeImage ? [{ id: 'active' as const, label: `$(file-media) ${vs.workspace.asRelativePath(activeImage)}`, description: 'the image open now' }] : []),
    { id: 'clipboard', label: '$(clippy) Image from the clipboard', description: 'copy a screenshot first' },
    { id: 'file', label: '$(folder-opened) Choose an image file…', description: IMAGE_EXTENSIONS.join(', ') },
  ];
  const picked = await vs.window.showQuickPick(items, { title: `${title}: which image?`, placeHolder: 'Image source' });
  if (!picked) return undefined;
  if (picked.id === 'active' && activeImage) return { input: { path: activeImage.fsPath }, label: vs.workspace.asRelativePath(activeImage) };
  if (picked.id === 'clipboard') {
    try {
      await deps.host.whenReady();
      const clip = await deps.host.sendRequest(ClipboardReadImageRequest);
      return { input: { path: clip.path }, label: `clipboard image ${clip.width}×${clip.height}` };
    } catch (err) {
      void vs.window.showErrorMessage((err as Error).message);
      return undefined;
    }
  }
  const files = await vs.window.showOpenDialog({
    canSelectMany: false,
    openLabel: 'Use this image',
    title: `${title}: choose an image`,
    filters: { Images: IMAGE_EXTENSIONS },
  });
  if (!files?.[0]) return undefined;
  return { input: { path: files[0].fsPath }, label: vs.workspace.asRelativePath(files[0]) };
}
