/**
 * The local model behind an OpenAI-compatible HTTP API, so one machine with a GPU can serve a team and
 * any OpenAI client can use it. Inference runs in the engine worker; requests queue there one at a
 * time. Its options come typed from `cli/serve.ts`.
 */
import type { AddressInfo } from 'node:net';
import type { DeviceKind, LogLevel } from '../protocol';
import { EngineWorkerClient } from '../worker/client';
import { createOpenAiServer } from './openai-server';
import { WorkerChatBackend } from './chat-backend';
import { baseUrl, type ListenAddress } from './listen-address';

export interface ServeHttpOptions {
  address: ListenAddress;
  apiKey?: string;
  /** An installed model id or a model folder. */
  model: string;
  /** The name clients see in /v1/models. */
  modelName: string;
  store?: string;
  device: DeviceKind;
  /** Browser origins allowed to call the API (none by default). */
  allowedOrigins?: string[];
  maxPromptChars?: number;
  maxQueue?: number;
  log(level: LogLevel, message: string): void;
}

export class AddressInUseError extends Error {}

/** Serves until SIGINT/SIGTERM; prints `listening on URL` first. Resolves with the exit code. */
export async function serveHttp(options: ServeHttpOptions): Promise<number> {
  const { address, apiKey, log } = options;
  const worker = new EngineWorkerClient({ log });
  const backend = new WorkerChatBackend(worker, { model: options.model, modelsDir: options.store, device: options.device }, options.modelName);
  const server = createOpenAiServer({
    backend,
    apiKey,
    log,
    boundHost: address.host,
    allowedOrigins: options.allowedOrigins,
    maxPromptChars: options.maxPromptChars,
    maxQueue: options.maxQueue,
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new AddressInUseError(`${address.host}:${address.port} is already in use: choose another port`) : err),
    );
    server.listen(address.port, address.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`listening on ${baseUrl(address.host, port)} (model "${options.modelName}")\n`);

  return new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      log('info', `${signal}: stopping`);
      server.closeAllConnections();
      server.close();
      void worker.dispose().finally(() => resolve(0));
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
