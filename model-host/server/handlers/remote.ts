import { HostError, HostErrorCodes, RemoteListModelsRequest, RemoteProbeVisionRequest, type RemoteModelInfo } from '../../protocol';
import { describeModels, probeVision } from '../../engines/remote/model-capabilities';
import { listModels } from '../../engines/remote/openai-http';
import type { HandlerModule } from '../host-services';
import { validatorFor } from '../../protocol/validate';
import { onRequest } from '../requests';

/**
 * remote/listModels: asks an OpenAI-compatible server which models it serves and which read images;
 * remote/probeVision: asks models themselves with a one-pixel image. Plain I/O, so it runs
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
        const options = { endpoint: params.endpoint, apiKey: params.apiKey, signal: controller.signal, connectTimeoutMs: 15_000, idleTimeoutMs: 15_000 };
        const models = await listModels(options);
        // What each model reads is a hint for the picker: if asking fails, the list still stands.
        const described = await describeModels(options).catch(() => [] as RemoteModelInfo[]);
        const details = models.map((id) => described.find((d) => d.id === id) ?? { id, vision: 'unknown' as const });
        return { models, details };
      } catch (err) {
        if (controller.signal.aborted) throw new HostError(HostErrorCodes.Cancelled, 'cancelled');
        // Remote failures are RemoteErrors (HostError, code Remote); a plain one is a remote failure too.
        throw err instanceof HostError ? err : new HostError(HostErrorCodes.Remote, (err as Error).message);
      }
    },
    validatorFor('remote/listModels'),
  );

  onRequest(
    services.connection,
    RemoteProbeVisionRequest,
    async (params, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      // A local server may load each model to answer: give it time, but not forever.
      const options = { endpoint: params.endpoint, apiKey: params.apiKey, signal: controller.signal, connectTimeoutMs: 120_000, idleTimeoutMs: 60_000 };
      const details = await probeVision(options, params.models);
      if (controller.signal.aborted) throw new HostError(HostErrorCodes.Cancelled, 'cancelled');
      return { details };
    },
    validatorFor('remote/probeVision'),
  );
};
