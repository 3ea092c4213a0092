/**
 * `model-host serve --http HOST:PORT`: the local model behind an OpenAI-compatible HTTP API, so one
 * machine with a GPU can serve a team and any OpenAI client can use it. Inference runs in the engine
 * worker; requests queue there one at a time.
 */
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { DeviceKind, LogLevel } from '../protocol';
import { UsageError, flag, parseArgs } from '../cli/command';
import { EngineWorkerClient } from '../worker/client';
import { createOpenAiServer } from './openai-server';
import { WorkerChatBackend } from './chat-backend';
import { baseUrl, checkBindAllowed, parseListenAddress } from './listen-address';

const DEVICES: DeviceKind[] = ['webgpu', 'cuda', 'dml', 'coreml', 'cpu'];
const LOG_ORDER: LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];

export const SERVE_HTTP_USAGE = `model-host serve --http [HOST:]PORT --model DIR|ID [--model-name NAME] [--api-key KEY]
                  [--store DIR] [--device cpu|webgpu|cuda|dml|coreml] [--log-level info]

Serves the model as an OpenAI-compatible API: GET /v1/models, POST /v1/chat/completions
(stream or not; images as data URLs in image_url content parts). Binds to loopback by default
(a bare PORT means 127.0.0.1:PORT); another address needs --api-key (or VISUAL_CODER_API_KEY),
and then every request needs "Authorization: Bearer KEY". Port 0 picks a free port; the first
line on stdout is "listening on http://HOST:PORT/v1". Stops on SIGINT/SIGTERM.`;

export async function serveHttp(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const address = parseListenAddress(flag(args, 'http') ?? '');
  const apiKey = flag(args, 'api-key') ?? process.env.VISUAL_CODER_API_KEY;
  checkBindAllowed(address, apiKey);
  const model = flag(args, 'model');
  if (!model) throw new UsageError('--model is required: an installed model id or a model folder');
  const device = (flag(args, 'device') ?? 'cpu') as DeviceKind;
  if (!DEVICES.includes(device)) throw new UsageError(`--device must be one of ${DEVICES.join(', ')}`);
  const threshold = (flag(args, 'log-level') ?? 'info') as LogLevel;
  if (!LOG_ORDER.includes(threshold)) throw new UsageError(`--log-level must be one of ${LOG_ORDER.join(', ')}`);
  const log = (level: LogLevel, message: string) => {
    if (LOG_ORDER.indexOf(level) >= LOG_ORDER.indexOf(threshold)) process.stderr.write(`[${level}] ${message}\n`);
  };

  // A folder (absolute, ./relative or with a separator) or an installed model id, as `tasks run` reads it.
  const modelRef = path.isAbsolute(model) || model.startsWith('.') || model.includes(path.sep) ? path.resolve(model) : model;
  const modelId = flag(args, 'model-name') ?? path.basename(modelRef);
  const worker = new EngineWorkerClient({ log });
  const backend = new WorkerChatBackend(worker, { model: modelRef, modelsDir: flag(args, 'store'), device }, modelId);
  const server = createOpenAiServer({ backend, apiKey, log });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new UsageError(`${address.host}:${address.port} is already in use: choose another port`) : err),
    );
    server.listen(address.port, address.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`listening on ${baseUrl(address.host, port)} (model "${modelId}")\n`);

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
