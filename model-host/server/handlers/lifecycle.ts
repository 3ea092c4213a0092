import { DebugBurnRequest, InitializeRequest, PingRequest, SetLogLevelRequest, ShutdownRequest, HostError, HostErrorCodes } from '../../protocol';
import { HOST_VERSION } from '../../version';
import { probeDevices, chooseDevice } from '../../devices/probe';
import { listEngines } from '../../engines/engine-list';
import type { HandlerModule } from '../host-services';
import { cancellationSignal } from '../cancellation';
import { validatorFor } from '../../protocol/validate';
import { onRequest, onRequest0 } from '../requests';

/** host/initialize, host/shutdown, host/ping and the test-only debug/burn. */
export const registerLifecycleHandlers: HandlerModule = (services) => {
  const { connection } = services;
  // Start probing now, while the client is still connecting: initialize then only awaits the
  // (per-process cached) answer, which keeps a restarted host's time-to-ready short.
  void probeDevices(services.log);

  onRequest(
    connection,
    InitializeRequest,
    async (params) => {
      services.settings = params;
      services.devices = await probeDevices(services.log);
      services.device = chooseDevice(params.device, services.devices, services.log);
      return {
        version: HOST_VERSION,
        pid: process.pid,
        devices: services.devices,
        device: services.device,
        engines: listEngines(),
      };
    },
    validatorFor('host/initialize'),
  );

  onRequest0(connection, ShutdownRequest, async () => {
    services.log('info', 'shutdown requested');
    await services.worker.dispose();
    // Exit after the response has been written: the JSON-RPC writer queues it after this handler
    // returns, so wait a moment, then for stdout to flush.
    setTimeout(() => process.stdout.write('', () => process.exit(0)), 20);
  });

  onRequest(
    connection,
    SetLogLevelRequest,
    async ({ level }) => {
      services.settings = { ...services.settings, logLevel: level };
      services.log('debug', `log level: ${level}`);
    },
    validatorFor('host/setLogLevel'),
  );

  onRequest0(connection, PingRequest, () => ({ hostTimeMs: performance.now(), busy: services.worker.busy }));

  onRequest(
    connection,
    DebugBurnRequest,
    async (params, token) => {
      if (!services.testMode) throw new HostError(HostErrorCodes.MethodNotFound, 'debug/burn is only available when VISUAL_CODER_TEST=1');
      const result = await services.worker.run<{ burnedMs: number }>('burn', params, { label: 'burn' }, cancellationSignal(token));
      // The job stops early on the cancel flag; say it was cancelled rather than pass a short burn off as done.
      if (token.isCancellationRequested) throw new HostError(HostErrorCodes.Cancelled, `debug/burn cancelled after ${result.burnedMs} ms`);
      return result;
    },
    validatorFor('debug/burn'),
  );
};
