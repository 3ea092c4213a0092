import * as rpc from 'vscode-jsonrpc';
import { HostErrorCodes, RemoteListModelsRequest } from '../../protocol';
import { listModels } from '../../engines/remote/openai-http';
import type { HandlerModule } from '../host-services';

/**
 * remote/listModels: asks an OpenAI-compatible server which models it serves. Plain I/O, so it runs
 * on the protocol thread (no worker job) and never waits behind a running generation.
 */
export const registerRemoteHandlers: HandlerModule = (services) => {
  services.connection.onRequest(RemoteListModelsRequest, async (params, token) => {
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort());
    try {
      const models = await listModels({ endpoint: params.endpoint, apiKey: params.apiKey, signal: controller.signal, connectTimeoutMs: 15_000, idleTimeoutMs: 15_000 });
      return { models };
    } catch (err) {
      if (controller.signal.aborted) throw new rpc.ResponseError(HostErrorCodes.Cancelled, 'cancelled');
      const e = err as Error & { code?: number };
      throw new rpc.ResponseError(typeof e.code === 'number' ? e.code : HostErrorCodes.Remote, e.message);
    }
  });
};
