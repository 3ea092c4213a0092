/** Every protocol handler module of the host, registered in this order at start. */
import type { HandlerModule } from '../host-services';
import { registerLifecycleHandlers } from './lifecycle';
import { registerTaskHandlers } from './tasks';
import { registerClipboardHandlers } from './clipboard';
import { registerRemoteHandlers } from './remote';
import { registerModelHandlers } from './models';

export const handlerModules: HandlerModule[] = [
  registerLifecycleHandlers,
  registerTaskHandlers,
  registerClipboardHandlers,
  registerRemoteHandlers,
  registerModelHandlers,
];
