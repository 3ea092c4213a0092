/**
 * `--backend openai --endpoint URL --model NAME [--max-image-side N]` on the CLI: the remote backend
 * for `model-host run` (and `run --task`). The key comes from OPENAI_API_KEY (the variable every
 * OpenAI client reads), never from a flag, so it does not land in shell history.
 */
import type { BackendConfig } from '../protocol';
import { UsageError, flag, type ParsedArgs } from './command';

/** The flags `remoteBackendFromArgs` reads, for the commands that accept them. */
export const REMOTE_CLI_FLAGS = ['backend', 'endpoint', 'remote-model', 'max-image-side'] as const;

export const REMOTE_CLI_USAGE = `  --backend local|openai  openai: use an OpenAI-compatible server instead of a local folder
  --endpoint URL          the server's base URL, e.g. http://127.0.0.1:8000/v1 (with --backend openai)
  --model NAME            with --backend openai: the model name on the server (key: OPENAI_API_KEY)
  --max-image-side N      downscale images larger than N px before sending (default 1024)`;

/** The remote backend when `--backend openai` was given; undefined for the local backend. */
export function remoteBackendFromArgs(args: ParsedArgs, env: NodeJS.ProcessEnv = process.env): BackendConfig | undefined {
  const backend = flag(args, 'backend') ?? 'local';
  if (backend === 'local') return undefined;
  if (backend !== 'openai') throw new UsageError(`--backend must be local or openai (got "${backend}")`);
  const endpoint = flag(args, 'endpoint');
  if (!endpoint) throw new UsageError('--backend openai needs --endpoint URL, e.g. --endpoint http://127.0.0.1:8000/v1');
  const model = flag(args, 'remote-model') ?? flag(args, 'model');
  if (!model) throw new UsageError('--backend openai needs --model NAME (a model the server lists at GET /v1/models)');
  const side = flag(args, 'max-image-side');
  if (side !== undefined && !(Number.isInteger(Number(side)) && Number(side) >= 64)) {
    throw new UsageError('--max-image-side must be a whole number of pixels, at least 64');
  }
  const apiKey = env.OPENAI_API_KEY || env.VISUAL_CODER_API_KEY || undefined;
  return { kind: 'openai', endpoint, model, apiKey, maxImageSide: side === undefined ? undefined : Number(side) };
}
