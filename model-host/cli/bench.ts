/**
 * `model-host bench`: how fast a converted DeepSeek-VL folder runs, per device. Each (model, device)
 * pair is measured in its own child process (bench/measure.ts), so peak RSS belongs to that pair
 * alone and a WebGPU failure cannot take the others down.
 *
 * Three sources of models: `--model DIR` (converted folders); `--synthetic NAME` (a checkpoint of the
 * real configuration with seeded random weights, written here, converted with the project's converter:
 * real size without a download); neither (the tiny reference checkpoints in ../shared/fixtures).
 * With --synthetic, the dtype's logits are also compared with fp32's along the same tokens.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEVICE_PREFERENCES, type DevicePreference } from '../protocol';
import { CONVERT_DTYPES } from '../convert/deepseek-vl/converter';
import { type BenchRow, compareLogits, type LogitsAgreement, logitsOf, type LogitsRun, measureOne } from '../bench/measure';
import { SYNTHETIC_MODELS, type SyntheticModel, writeSyntheticCheckpoint } from '../bench/synthetic-checkpoint';
import { type CliCommand, flag, parseArgs, UsageError } from './command';

function runChild(args: string[]): { ok: boolean; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [process.argv[1], ...args], { encoding: 'utf8', env: process.env, timeout: 60 * 60_000, maxBuffer: 64 << 20 });
  return { ok: r.status === 0, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

export interface ConversionFigure {
  model: string;
  seconds: number;
  peakRssMb: number;
}

/** Converts `from` into `to` with the project's converter in a child process (its own peak RSS). */
function convertIn(from: string, to: string, dtype: string, label: string, extra: string[] = []): ConversionFigure {
  const r = runChild(['convert', '--from', from, '--to', to, '--dtype', dtype, '--overwrite', '--json', ...extra]);
  if (!r.ok) throw new Error(`converting ${label} to ${dtype} failed: ${r.stderr.trim().split('\n').pop()}`);
  const summary = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { seconds: number; peakRssMb: number };
  return { model: `${label} (${dtype})`, seconds: summary.seconds, peakRssMb: summary.peakRssMb };
}

/** Converts the tiny reference checkpoints. */
function convertTinyFixtures(work: string, dtype: string): { dirs: string[]; conversions: ConversionFigure[] } {
  const fixtures = resolve(__dirname, '..', '..', 'shared', 'fixtures', 'deepseek-vl-reference');
  if (!existsSync(fixtures)) throw new UsageError(`no --model given and the tiny fixtures are not at ${fixtures}; pass --model DIR or --synthetic NAME`);
  const dirs: string[] = [];
  const conversions: ConversionFigure[] = [];
  for (const name of ['tiny-deepseek-vl', 'tiny-deepseek-vl-hybrid']) {
    const out = join(work, `${name}-${dtype}`);
    conversions.push(convertIn(join(fixtures, name), out, dtype, name));
    dirs.push(out);
  }
  return { dirs, conversions };
}

interface SyntheticSetup {
  dirs: string[];
  conversions: ConversionFigure[];
  checkpoint: { dir: string; parameters: number; writeSeconds: number };
  /** fp32 folder for the logits check (absent with --no-compare or when the dtype is fp32). */
  reference?: string;
}

/** Writes (or reuses) the synthetic checkpoint and converts it, in `work`. */
function prepareSynthetic(
  work: string,
  model: SyntheticModel,
  layers: number | undefined,
  dtype: string,
  compare: boolean,
  reconvert: boolean,
): SyntheticSetup {
  const base = join(work, `${model}${layers ? `-${layers}l` : ''}`);
  const hf = join(base, 'hf');
  let writeSeconds = 0;
  let parameters = 0;
  if (!existsSync(join(hf, 'model.safetensors'))) {
    const t0 = Date.now();
    rmSync(hf, { recursive: true, force: true });
    parameters = writeSyntheticCheckpoint(hf, { model, layers }).parameters;
    writeSeconds = (Date.now() - t0) / 1000;
  }
  const conversions: ConversionFigure[] = [];
  const folder = (d: string) => join(base, d);
  if (reconvert || !existsSync(join(folder(dtype), 'config.json'))) conversions.push(convertIn(hf, folder(dtype), dtype, model));
  let reference: string | undefined;
  if (compare && dtype !== 'fp32') {
    reference = folder('fp32');
    if (reconvert || !existsSync(join(reference, 'config.json'))) conversions.push(convertIn(hf, reference, 'fp32', model));
  }
  return { dirs: [folder(dtype)], conversions, checkpoint: { dir: hf, parameters, writeSeconds }, reference };
}

/** fp32's greedy tokens and logits, then the dtype's logits along the same tokens. */
function logitsCheck(reference: string, model: string, device: string, count: number, work: string): LogitsAgreement {
  const refFile = join(work, 'logits-fp32.json');
  const r1 = runChild(['bench', '--logits-out', refFile, '--model', reference, '--device', 'cpu', '--max-new-tokens', String(count)]);
  if (!r1.ok) throw new Error(`fp32 logits failed: ${r1.stderr.trim().split('\n').pop()}`);
  const ref = readLogits(refFile);
  const gotFile = join(work, 'logits-dtype.json');
  const r2 = runChild(['bench', '--logits-out', gotFile, '--model', model, '--device', device, '--tokens', ref.tokens.join(',')]);
  if (!r2.ok) throw new Error(`logits along fp32's tokens failed: ${r2.stderr.trim().split('\n').pop()}`);
  return compareLogits(ref, readLogits(gotFile));
}

function writeLogits(file: string, run: LogitsRun): void {
  writeFileSync(`${file}.f32`, new Uint8Array(run.logits.buffer, run.logits.byteOffset, run.logits.byteLength));
  writeFileSync(file, JSON.stringify({ tokens: run.tokens, vocab: run.vocab }));
}

function readLogits(file: string): LogitsRun {
  const meta = JSON.parse(readFileSync(file, 'utf8')) as { tokens: number[]; vocab: number };
  const bytes = readFileSync(`${file}.f32`);
  return { ...meta, logits: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) };
}

export function formatTable(rows: BenchRow[]): string {
  const head = ['model', 'device', 'dtype', 'load ms', 'preproc ms', 'vision ms', 'prefill ms', 'TTFT ms', 'decode tok/s', 'new tok', 'KV MB', 'peak RSS MB'];
  const body = rows.map((r) =>
    r.error
      ? [r.model, r.requestedDevice, r.dtype, `failed: ${r.error}`]
      : [
          r.model,
          r.device === r.requestedDevice ? r.device : `${r.device} (asked ${r.requestedDevice})`,
          r.dtype,
          r.loadMs,
          r.preprocessMs,
          r.visionMs,
          r.prefillMs,
          r.ttftMs,
          r.decodeTokensPerSecond,
          r.newTokens,
          r.kvCacheMb ?? '',
          r.peakRssMb,
        ].map(String),
  );
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

function failedRow(model: string, device: string, dtype: string, error: string): BenchRow {
  const zero = { loadMs: 0, preprocessMs: 0, visionMs: 0, ttftMs: 0, prefillMs: 0, decodeTokensPerSecond: 0, newTokens: 0, promptTokens: 0, peakRssMb: 0 };
  return { model, device, requestedDevice: device, dtype, ...zero, error };
}

function positiveInt(value: string | undefined, fallback: number, name: string, min = 1): number {
  const n = Number(value ?? fallback);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}`);
  return n;
}

export const benchCommand: CliCommand = {
  name: 'bench',
  summary: 'Measure load, image encode, time to first token, decode tokens/s and peak RSS per device',
  usage: `model-host bench [--model DIR]... [--synthetic deepseek-vl-1.3b|deepseek-vl-7b|tiny [--layers N]]
                  [--device cpu,webgpu] [--dtype fp32|fp16|q4|q4f16] [--max-new-tokens N] [--runs N]
                  [--work DIR] [--reconvert] [--no-compare] [--json]

--synthetic writes a checkpoint of the real configuration with seeded random weights (bf16
safetensors, the real tensor names and shapes, the real processor files), converts it with
--dtype and measures it; --layers shortens the language model (and the vision towers in
proportion). Unless --no-compare, it also converts fp32 and reports the dtype's logits against
fp32's along fp32's greedy tokens (max |diff|, top-1 agreement). --work keeps the checkpoint and
the converted folders for the next run (default: a temporary folder, removed afterwards).
Without --model or --synthetic, converts the tiny reference checkpoints (../shared/fixtures).
Each model × device runs in its own process. WebGPU without a GPU needs a Vulkan driver, e.g.
VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json XDG_RUNTIME_DIR=/tmp (SwiftShader).`,
  async run(argv) {
    const args = parseArgs(argv, {
      values: ['device', 'dtype', 'layers', 'logits-out', 'max-new-tokens', 'model', 'runs', 'synthetic', 'tokens', 'work'],
      switches: ['json', 'one', 'no-compare', 'reconvert'],
    });
    const maxNewTokens = positiveInt(flag(args, 'max-new-tokens'), 32, 'max-new-tokens', 2);
    const runs = positiveInt(flag(args, 'runs'), 3, 'runs');
    const logitsOut = flag(args, 'logits-out');
    if (flag(args, 'one') === 'true' || logitsOut) {
      // Child modes: one measurement as a JSON line, or logits into a file.
      const model = flag(args, 'model');
      if (!model) throw new UsageError('--one and --logits-out need --model');
      const device = (flag(args, 'device') ?? 'cpu') as DevicePreference;
      if (logitsOut) {
        const tokens = (flag(args, 'tokens') ?? '').split(',').filter(Boolean).map(Number);
        writeLogits(logitsOut, await logitsOf(model, device, tokens, maxNewTokens));
        return 0;
      }
      process.stdout.write(`${JSON.stringify(await measureOne(model, device, maxNewTokens, runs))}\n`);
      return 0;
    }
    const devices = (flag(args, 'device') ?? 'cpu').split(',').map((d) => d.trim());
    for (const d of devices) {
      if (!DEVICE_PREFERENCES.includes(d as DevicePreference)) throw new UsageError(`--device ${d} is not one of ${DEVICE_PREFERENCES.join(', ')}`);
    }
    const dtype = flag(args, 'dtype') ?? 'fp32';
    if (!(CONVERT_DTYPES as readonly string[]).includes(dtype)) throw new UsageError(`--dtype must be one of ${CONVERT_DTYPES.join(', ')}`);
    const synthetic = flag(args, 'synthetic');
    if (synthetic && !SYNTHETIC_MODELS.includes(synthetic as SyntheticModel)) throw new UsageError(`--synthetic must be one of ${SYNTHETIC_MODELS.join(', ')}`);
    const layers = flag(args, 'layers') === undefined ? undefined : positiveInt(flag(args, 'layers'), 1, 'layers');
    let models = args.flags.get('model') ?? [];
    const keepWork = flag(args, 'work');
    const work = keepWork ? resolve(keepWork) : mkdtempSync(join(tmpdir(), 'visual-coder-bench-'));
    mkdirSync(work, { recursive: true });
    const report: Record<string, unknown> = {};
    try {
      let conversions: ConversionFigure[] = [];
      let reference: string | undefined;
      if (synthetic) {
        const setup = prepareSynthetic(
          work,
          synthetic as SyntheticModel,
          layers,
          dtype,
          flag(args, 'no-compare') !== 'true',
          flag(args, 'reconvert') === 'true',
        );
        ({ dirs: models, conversions, reference } = setup);
        report.synthetic = { model: synthetic, layers: layers ?? 'all', checkpoint: setup.checkpoint };
      } else if (models.length === 0) {
        ({ dirs: models, conversions } = convertTinyFixtures(work, dtype));
      }
      const rows: BenchRow[] = [];
      for (const model of models) {
        for (const device of devices) {
          const r = runChild(['bench', '--one', '--model', model, '--device', device, '--max-new-tokens', String(maxNewTokens), '--runs', String(runs)]);
          const last = r.stdout.trim().split('\n').pop() ?? '';
          if (r.ok && last.startsWith('{')) rows.push(JSON.parse(last) as BenchRow);
          else rows.push(failedRow(model, device, dtype, r.stderr.trim().split('\n').pop() ?? 'no output'));
        }
      }
      const agreements: Record<string, LogitsAgreement> = {};
      if (reference) for (const device of devices) agreements[device] = logitsCheck(reference, models[0], device, maxNewTokens, work);
      const shown = rows.map((r) => ({ ...r, model: r.model.startsWith(work) ? r.model.slice(work.length + 1) : r.model }));
      Object.assign(report, { conversions, results: shown });
      if (reference) report.logitsVsFp32 = agreements;
      if (flag(args, 'json') === 'true') process.stdout.write(`${JSON.stringify(report)}\n`);
      else {
        for (const c of conversions) process.stdout.write(`converted ${c.model} in ${c.seconds} s, peak RSS ${c.peakRssMb} MB\n`);
        process.stdout.write(`${formatTable(shown)}\n`);
        for (const [device, a] of Object.entries(agreements)) {
          process.stdout.write(
            `${dtype} vs fp32 logits on ${device} over ${a.positions} positions: max |diff| ${a.maxAbsDiff.toPrecision(3)} (${(a.relativeMaxDiff * 100).toFixed(2)} % of the largest logit), top-1 agreement ${(a.top1Agreement * 100).toFixed(1)} %\n`,
          );
        }
      }
      return rows.some((r) => r.error) ? 1 : 0;
    } finally {
      if (!keepWork) rmSync(work, { recursive: true, force: true });
    }
  },
};
