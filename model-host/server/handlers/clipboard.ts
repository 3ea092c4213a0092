/** clipboard/readImage: the system clipboard's image as a PNG file (VS Code cannot read images from it). */
import * as rpc from 'vscode-jsonrpc';
import { ClipboardReadImageRequest } from '../../protocol';
import type { HandlerModule } from '../host-services';
import { readClipboardImage } from '../../clipboard/read-clipboard-image';

export const registerClipboardHandlers: HandlerModule = (services) => {
  services.connection.onRequest(ClipboardReadImageRequest, async () => {
    try {
      return await readClipboardImage();
    } catch (err) {
      const e = err as Error & { code?: number };
      throw new rpc.ResponseError(e.code ?? -32603, e.message);
    }
  });
};
