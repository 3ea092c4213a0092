/**
 * `model-host serve`: the protocol on stdio for the extension, or (`--http`) the OpenAI-compatible
 * API for any client. Parses the flags and hands typed options to the server.
 */
import * as path from 'node:path';
import { modelRefFromFlag } from './model-ref';
import { type CliCommand, type ParsedArgs, UsageError, flag, parseArgs } from './command';
import { DEVICE_KINDS, LOG_LEVELS, logLevelPasses, type DeviceKind, type LogLevel } from '../protocol';
import { serveStdio } from '../server/stdio-server';
import { AddressInUseError, serveHttp } from '../http/serve-http';
import { checkBindAllowed, parseListenAddress } from './listen-address-option';

export const SERVE_HTTP_USAGE = `model-host serve --http [HOST:]PORT --model DIR|ID [--model-name NAME] [--api-key KEY]
                  [--store DIR] [--device cpu|webgpu|cuda|dml|coreml] [--log-level info]
                  [--allow-origin ORIGIN]... [--max-prompt-chars N] [--max-queue N]

Serves the model as an OpenAI-compatible API: GET /v1/models, POST /v1/chat/completions
(stream or not; images as data URLs in image_url content parts). Binds to loopback by default
(a bare PORT means 127.0.0.1:PORT); another address needs --api-key (or VISUAL_CODER_API_KEY),
and then every request needs "Authorization: Bearer KEY". Without a key, only requests whose Host
names this server on loopback are served (no DNS rebinding), browser pages are refused unless
--allow-origin names their origin, POST bodies must be application/json, prompts longer than
--max-prompt-chars (default 65536) are refused before tokenising, and more than --max-queue
(default 8) waiting requests get 429 with Retry-After. Port 0 picks a free port; the first line on
stdout is "listening on http://HOST:PORT/v1". Stops on SIGINT/SIGTERM.`;

function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive whole number (got "${value}")`);
  return n;
}

const SERVE_ARGS = {
  values: ['http', 'api-key', 'model', 'model-name', 'store', 'device', 'log-level', 'allow-origin', 'max-prompt-chars', 'max-queue'],
};

async function serveHttpFromArgs(args: ParsedArgs): Promise<number> {
  const address = parseListenAddress(flag(args, 'http') ?? '');
  const apiKey = flag(args, 'api-key') ?? process.env.VISUAL_CODER_API_KEY;
  checkBindAllowed(address, apiKey);
  const model = flag(args, 'model');
  if (!model) throw new UsageError('--model is required: an installed model id or a model folder');
  const device = (flag(args, 'device') ?? 'cpu') as DeviceKind;
  if (!DEVICE_KINDS.includes(device)) throw new UsageError(`--device must be one of ${DEVICE_KINDS.join(', ')}`);
  const threshold = (flag(args, 'log-level') ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(threshold)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  const modelRef = modelRefFromFlag(model);
  try {
    return await serveHttp({
      address,
      apiKey,
      model: modelRef,
      modelName: flag(args, 'model-name') ?? path.basename(modelRef),
      store: flag(args, 'store'),
      device,
      allowedOrigins: args.flags.get('allow-origin') ?? [],
      maxPromptChars: positiveInt(flag(args, 'max-prompt-chars'), 'max-prompt-chars'),
      maxQueue: positiveInt(flag(args, 'max-queue'), 'max-queue'),
      log: (level, message) => {
        if (logLevelPasses(level, threshold)) process.stderr.write(`[${level}] ${message}\n`);
      },
    });
  } catch (err) {
    if (err instanceof AddressInUseError) throw new UsageError(err.message);
    throw err;
  }
}

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Serve the Visual Coder protocol (JSON-RPC over stdio) to the extension',
  usage: `model-host serve

Speaks JSON-RPC 2.0 with Content-Length framing on stdin/stdout (the protocol in
model-host/protocol/). Exits when stdin closes or on host/shutdown.

${SERVE_HTTP_USAGE}`,
  run(argv) {
    // One spec for both modes, so a typo such as `--htp` is named in either; the stdio mode takes no options.
    const args = parseArgs(argv, SERVE_ARGS);
    if (args.flags.has('http')) return serveHttpFromArgs(args);
    if (args.flags.size || args.positional.length) {
      throw new UsageError(`${argv[0]} needs --http: without it, serve speaks the stdio protocol and takes no options`);
    }
    return serveStdio();
  },
};
