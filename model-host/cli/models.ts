/**
 * `model-host models list|pull|verify|remove|register`: the model store from the command line.
 * Progress goes to stderr (one line a second, or a rewritten line on a terminal); results to stdout.
 */
import * as os from 'node:os';
import type { CliCommand } from './command';
import { UsageError, flag, parseArgs } from './command';
import { DEVICE_KINDS, formatBytes, MODEL_DTYPES, type DeviceKind, type ModelDtypePreference, type ModelsProgressParams } from '../protocol';
import { parseModelRef } from '../models/registry';
import { ModelStore, storeRootFrom } from '../models/store';
import { pullModel } from '../models/downloader';
import { listModels, verifyModel } from '../models/catalog';
import { probeDevices } from '../devices/probe';
import { convertAfterPull } from '../models/conversion';

const USAGE = `model-host models <list|pull|verify|remove|register> [options]

  models list [--device KIND] [--dtype D] [--json]
                                        presets, what is installed, the recommendation
  models pull ID [--device KIND] [--dtype D] [--include GLOB]...
                                        download and verify (resumable; progress on stderr);
                                        --include picks files of a hub repo, e.g. 'onnx/*_q4.onnx*';
                                        --dtype: what a DeepSeek-VL checkpoint is converted to:
                                        auto (default: what fits KIND), q4, q4f16, fp16, fp32
  models verify ID                      re-hash an installed model against its manifest
  models remove ID                      delete an installed model (a registered folder's files stay)
  models register DIR [--id ID]         use a folder you already have as a model

ID is a preset id (see \`models list\`) or a hub repository org/name[@revision].
Options for all: --store DIR (default: $VISUAL_CODER_MODELS or ~/.cache/visual-coder/models).
Environment: HF_ENDPOINT (hub address), HF_TOKEN (gated repos), HTTPS_PROXY/HTTP_PROXY/NO_PROXY.`;

export function formatProgress(p: ModelsProgressParams): string {
  const pct = p.totalBytes > 0 ? ` (${Math.floor((100 * p.doneBytes) / p.totalBytes)}%)` : '';
  const rate = p.bytesPerSecond > 0 ? `, ${formatBytes(p.bytesPerSecond)}/s` : '';
  const eta = p.etaSeconds !== undefined && (p.phase === 'downloading' || p.phase === 'converting') ? `, ETA ${formatEta(p.etaSeconds)}` : '';
  const msg = p.message ? ` ${p.message}` : '';
  const tensors = p.conversion ? `${p.conversion.tensorsDone}/${p.conversion.tensorsTotal} tensors, ` : '';
  return `[${p.phase}] ${tensors}${formatBytes(p.doneBytes)} / ${formatBytes(p.totalBytes)}${pct}${rate}${eta}${msg ? ' —' + msg : ''}`;
}

export function formatEta(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

function needId(positional: string[], sub: string): string {
  const id = positional[1];
  if (!id) throw new UsageError(`models ${sub} needs an ID`);
  return id;
}

async function list(store: ModelStore, json: boolean, device: DeviceKind | undefined, dtype: ModelDtypePreference | undefined): Promise<number> {
  const devices = await probeDevices(() => undefined);
  const result = listModels(store, devices, undefined, { device: device ?? 'cpu', dtype });
  if (json) {
    process.stdout.write(JSON.stringify({ store: store.root, ...result }, null, 2) + '\n');
    return 0;
  }
  const lines = [`Store: ${store.root}`, '', 'Presets:'];
  for (const p of result.presets) {
    const rec = result.recommended?.id === p.id ? '  (recommended)' : '';
    lines.push(`  ${p.installed ? '*' : ' '} ${p.id.padEnd(24)} ~${formatBytes(p.sizeBytes).padEnd(8)} ≥${p.minGpuMemoryGb} GB GPU  ${p.licence}${rec}`);
    lines.push(`      ${p.repo}: ${p.goodAt}`);
    if (p.conversion) {
      lines.push(
        `      converted to ${p.conversion.dtype} (${p.conversion.reason}): ~${formatBytes(p.conversion.diskBytes)} on disk, ~${p.conversion.memoryGb} GB to run`,
      );
    }
  }
  const others = result.installed.filter((m) => !result.presets.some((p) => p.id === m.id));
  if (others.length) {
    lines.push('', 'Other installed models:');
    for (const m of others) lines.push(`  * ${m.id.padEnd(24)} ${m.local ? 'registered folder' : `${m.verifiedFiles} verified files`}  ${m.dir}`);
  }
  if (result.recommended) lines.push('', `Recommended: ${result.recommended.id}: ${result.recommended.reason}`);
  lines.push('', '* = installed');
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

async function pull(
  store: ModelStore,
  id: string,
  device: DeviceKind | undefined,
  include: string[] | undefined,
  dtype: ModelDtypePreference | undefined,
): Promise<number> {
  const ref = parseModelRef(id);
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const tty = process.stderr.isTTY;
  let lastLine = 0;
  const started = Date.now();
  try {
    const result = await pullModel({
      ref,
      store,
      device,
      dtype,
      devices: dtype === undefined || dtype === 'auto' ? await probeDevices(() => undefined) : [],
      include,
      signal: controller.signal,
      progressIntervalMs: tty ? 200 : 1000,
      log: (m) => process.stderr.write(`${tty ? '\n' : ''}${m}\n`),
      onProgress: (p) => {
        const line = formatProgress(p);
        if (tty) process.stderr.write(`\r${line.slice(0, (process.stderr.columns || 100) - 1).padEnd(lastLine)}`);
        else process.stderr.write(line + '\n');
        lastLine = Math.min(line.length, (process.stderr.columns || 100) - 1);
      },
      convert: convertAfterPull,
    });
    if (tty) process.stderr.write('\n');
    const secs = (Date.now() - started) / 1000;
    const rate = secs > 0 ? `, ${formatBytes(Math.round(result.downloadedBytes / secs))}/s` : '';
    process.stderr.write(
      `${result.id}: ${result.files} files, ${formatBytes(result.bytes)} verified (${formatBytes(result.downloadedBytes)} downloaded in ${secs.toFixed(1)} s${rate})\n`,
    );
    process.stdout.write(result.dir + '\n');
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export const modelsCommand: CliCommand = {
  name: 'models',
  summary: 'List, download (resumable, verified), verify, remove and register models',
  usage: USAGE,
  async run(argv) {
    const args = parseArgs(argv, { values: ['store', 'device', 'dtype', 'include', 'id'], switches: ['json'] });
    const store = new ModelStore(storeRootFrom(flag(args, 'store')));
    const sub = args.positional[0];
    const device = flag(args, 'device') as DeviceKind | undefined;
    if (device !== undefined && !DEVICE_KINDS.includes(device)) throw new UsageError(`--device must be one of ${DEVICE_KINDS.join(', ')}`);
    const dtype = flag(args, 'dtype') as ModelDtypePreference | undefined;
    if (dtype !== undefined && !MODEL_DTYPES.includes(dtype)) throw new UsageError(`--dtype must be one of ${MODEL_DTYPES.join(', ')}`);
    switch (sub) {
      case 'list':
        return list(store, args.flags.has('json'), device, dtype);
      case 'pull':
        return pull(store, needId(args.positional, sub), device, args.flags.get('include'), dtype);
      case 'verify': {
        const id = needId(args.positional, sub);
        const r = await verifyModel(store, id);
        for (const p of r.problems) process.stderr.write(`problem: ${p}\n`);
        process.stdout.write(r.ok ? `${id}: all files verified\n` : `${id}: ${r.problems.length} problem(s)\n`);
        return r.ok ? 0 : 1;
      }
      case 'remove': {
        const id = needId(args.positional, sub);
        const removed = await store.remove(id);
        process.stdout.write(removed ? `${id}: removed\n` : `${id}: not installed\n`);
        return removed ? 0 : 1;
      }
      case 'register': {
        const dir = needId(args.positional, sub);
        const m = await store.register(dir, flag(args, 'id'));
        process.stdout.write(`${m.id}: registered ${m.dir} (${m.files.length} files, family ${m.family})\n`);
        return 0;
      }
      default:
        throw new UsageError(sub ? `unknown models subcommand: ${sub}` : `models needs a subcommand${os.EOL}`);
    }
  },
};
