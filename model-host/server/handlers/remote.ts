import { HostError, HostErrorCodes, RemoteListModelsRequest } from '../../protocol';
import { listModels } from '../../engines/remote/openai-http';
import type { HandlerModule } from '../host-services';
import { validatorFor } from '../../protocol/validate';
import { onRequest } from '../requests';

/**
 * remote/listModels: asks an OpenAI-compatible server which models it serves. Plain I/O, so it runs
 * on the protocol thread (no worker job) and never waits behind a running generation.
 */
export const registerRemoteHandlers: HandlerModule = (services) => {
  onRequest(
    services.connection,
    RemoteListModelsRequest,
    async (params, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      try {
        const models = await listModels({
          endpoint: params.endpoint,
          apiKey: params.apiKey,
          signal: controller.signal,
          connectTimeoutMs: 15_000,
          idleTimeoutMs: 15_000,
        });
        return { models };
      } catch (err) {
        if (controller.signal.aborted) throw new HostError(HostErrorCodes.Cancelled, 'cancelled');
        // Remote failures are RemoteErrors (HostError, code Remote); a plain one is a remote failure too.
        throw err instanceof HostError ? err : new HostError(HostErrorCodes.Remote, (err as Error).message);
      }
    },
    validatorFor('remote/listModels'),
  );
};
