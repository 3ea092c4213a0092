/** clipboard/readImage: the system clipboard's image as a PNG file (VS Code cannot read images from it). */
import { ClipboardReadImageRequest } from '../../protocol';
import type { HandlerModule } from '../host-services';
import { readClipboardImage } from '../../clipboard/read-clipboard-image';
import { onRequest0 } from '../requests';

export const registerClipboardHandlers: HandlerModule = (services) => {
  onRequest0(services.connection, ClipboardReadImageRequest, () => readClipboardImage());
};
