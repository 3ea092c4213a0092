/**
 * `model-host bench`: how fast a converted DeepSeek-VL folder runs, per device. Each (model, device)
 * pair is measured in its own child process, so peak RSS belongs to that pair alone and a WebGPU
 * failure cannot take the others down. Without --model it converts the tiny reference checkpoints
 * (../shared/fixtures/deepseek-vl-reference) into a temporary folder first and reports conversion
 * time and peak memory too.
 *
 * Measured per pair: session load, image preprocessing (sharp decode excluded; Pillow-exact resize +
 * normalise of a synthetic 1280×800 image), vision encoder, time to first token (vision + embed +
 * prefill + first pick), decode tokens/s over the remaining tokens, peak RSS. One warm-up generation
 * runs first (shader compilation on WebGPU), then `--runs` measured ones (median reported).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEVICE_PREFERENCES, type DevicePreference } from '../protocol';
import type { GenerateOutput } from '../engines/engine';
import { DeepseekVlEngine, type RawInputs } from '../engines/deepseek-vl/engine';
import { type CliCommand, flag, parseArgs, UsageError } from './command';

export interface BenchRow {
  model: string;
  device: string;
  requestedDevice: string;
  dtype: string;
  loadMs: number;
  preprocessMs: number;
  visionMs: number;
  ttftMs: number;
  decodeTokensPerSecond: number;
  newTokens: number;
  promptTokens: number;
  peakRssMb: number;
  error?: string;
}

const now = () => performance.now();
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

/** A 1280×800 RGB test card (gradients + stripes): realistic size for a screenshot, no file needed. */
function syntheticImage(): { data: Uint8Array; width: number; height: number } {
  const width = 1280;
  const height = 800;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      data[o] = (x * 255) / width;
      data[o + 1] = (y * 255) / height;
      data[o + 2] = ((x >> 4) + (y >> 4)) % 2 ? 220 : 30;
    }
  }
  return { data, width, height };
}

/** The measurement itself, run inside the child process. */
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measureOne(modelDir: string, device: DevicePreference, maxNewTokens: number, runs: number): Promise<BenchRow> {
  const config = JSON.parse(readFileSync(join(modelDir, 'config.json'), 'utf8')) as {
    image_token_id: number;
    num_image_tokens: number;
    text_config: { bos_token_id: number; vocab_size?: number };
    visual_coder?: { dtype?: string };
  };
  const engine = await DeepseekVlEngine.load(modelDir, device, (level, message) => {
    if (level === 'warn' || level === 'error') process.stderr.write(`${level}: ${message}\n`);
  });
  const image = syntheticImage();
  let pixels = engine.processor.pixels(image);
  const preprocessTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = now();
    pixels = engine.processor.pixels(image);
    preprocessTimes.push(now() - t0);
  }
  // A prompt shaped like a real request: BOS, the image tokens, then ~40 text tokens. Fixed ids keep
  // the benchmark independent of the tokenizer; 10..49 exist in any vocabulary we convert.
  const text = Array.from({ length: 40 }, (_, i) => 10 + i);
  const inputIds = [config.text_config.bos_token_id, ...new Array<number>(config.num_image_tokens).fill(config.image_token_id), ...text];
  const raw: RawInputs = { inputIds, pixelValues: pixels.pixelValues, highResPixelValues: pixels.highResPixelValues };
  const ctx = { isCancelled: () => false, onText: () => undefined, log: () => undefined };
  await engine.generateFromInputs(raw, { maxNewTokens: 2 }, ctx); // warm-up
  const outs: GenerateOutput[] = [];
  for (let i = 0; i < runs; i++) outs.push(await engine.generateFromInputs(raw, { maxNewTokens }, ctx));
  // Medians over the runs: this machine is shared, single runs swing by several times.
  const pick = (f: (t: GenerateOutput['timings']) => number) => median(outs.map((o) => f(o.timings)));
  const out = outs[0];
  const row: BenchRow = {
    model: modelDir,
    device: engine.device,
    requestedDevice: device,
    dtype: config.visual_coder?.dtype ?? 'fp32',
    loadMs: round(engine.loadMs),
    preprocessMs: round(median(preprocessTimes)),
    visionMs: round(pick((t) => t.visionMs ?? 0)),
    ttftMs: round(pick((t) => t.totalMs - (t.decodeMs ?? 0))),
    decodeTokensPerSecond: round(pick((t) => t.decodeTokensPerSecond ?? 0)),
    newTokens: out.tokens?.length ?? 0,
    promptTokens: inputIds.length,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  await engine.dispose();
  return row;
}

function runChild(args: string[], env?: NodeJS.ProcessEnv): { ok: boolean; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [process.argv[1], ...args], { encoding: 'utf8', env: env ?? process.env, timeout: 20 * 60_000 });
  return { ok: r.status === 0, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

export interface ConversionFigure {
  model: string;
  seconds: number;
  peakRssMb: number;
}

/** Converts the tiny reference checkpoints (each in a child process, for its own peak RSS). */
function convertTinyFixtures(work: string, dtype: string): { dirs: string[]; conversions: ConversionFigure[] } {
  const fixtures = resolve(__dirname, '..', '..', 'shared', 'fixtures', 'deepseek-vl-reference');
  if (!existsSync(fixtures)) throw new UsageError(`no --model given and the tiny fixtures are not at ${fixtures}; pass --model DIR`);
  const dirs: string[] = [];
  const conversions: ConversionFigure[] = [];
  for (const name of ['tiny-deepseek-vl', 'tiny-deepseek-vl-hybrid']) {
    const out = join(work, `${name}-${dtype}`);
    const r = runChild(['convert', '--from', join(fixtures, name), '--to', out, '--dtype', dtype, '--json']);
    if (!r.ok) throw new Error(`converting ${name} failed: ${r.stderr.trim()}`);
    const summary = JSON.parse(r.stdout) as { seconds: number; peakRssMb: number };
    conversions.push({ model: `${name} (${dtype})`, seconds: summary.seconds, peakRssMb: summary.peakRssMb });
    dirs.push(out);
  }
  return { dirs, conversions };
}

export function formatTable(rows: BenchRow[]): string {
  const head = ['model', 'device', 'dtype', 'load ms', 'preproc ms', 'vision ms', 'TTFT ms', 'decode tok/s', 'new tok', 'peak RSS MB'];
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
          r.ttftMs,
          r.decodeTokensPerSecond,
          r.newTokens,
          r.peakRssMb,
        ].map(String),
  );
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

export const benchCommand: CliCommand = {
  name: 'bench',
  summary: 'Measure load, image encode, time to first token, decode tokens/s and peak RSS per device',
  usage: `model-host bench [--model DIR]... [--device cpu,webgpu] [--dtype fp32|fp16|q4] [--max-new-tokens N] [--runs N] [--json]

Without --model, converts the tiny reference checkpoints (../shared/fixtures/deepseek-vl-reference)
to a temporary folder (with --dtype, default fp32) and also reports their conversion time and peak
memory. Each model × device runs in its own process. WebGPU without a GPU needs a Vulkan driver, e.g.
VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json XDG_RUNTIME_DIR=/tmp (SwiftShader).`,
  async run(argv) {
    const args = parseArgs(argv, ['json', 'one']);
    const maxNewTokens = Number(flag(args, 'max-new-tokens') ?? 32);
    if (!Number.isInteger(maxNewTokens) || maxNewTokens < 2) throw new UsageError('--max-new-tokens must be an integer ≥ 2');
    const runs = Number(flag(args, 'runs') ?? 3);
    if (!Number.isInteger(runs) || runs < 1) throw new UsageError('--runs must be a positive integer');
    if (flag(args, 'one') === 'true') {
      // Child mode: one measurement, one JSON line.
      const model = flag(args, 'model');
      if (!model) throw new UsageError('--one needs --model');
      const row = await measureOne(model, (flag(args, 'device') ?? 'cpu') as DevicePreference, maxNewTokens, runs);
      process.stdout.write(`${JSON.stringify(row)}\n`);
      return 0;
    }
    const devices = (flag(args, 'device') ?? 'cpu').split(',').map((d) => d.trim());
    for (const d of devices) {
      if (!DEVICE_PREFERENCES.includes(d as DevicePreference)) throw new UsageError(`--device ${d} is not one of ${DEVICE_PREFERENCES.join(', ')}`);
    }
    const dtype = flag(args, 'dtype') ?? 'fp32';
    if (!['fp32', 'fp16', 'q4'].includes(dtype)) throw new UsageError('--dtype must be fp32, fp16 or q4');
    let models = args.flags.get('model') ?? [];
    let conversions: ConversionFigure[] = [];
    let work: string | undefined;
    try {
      if (models.length === 0) {
        work = mkdtempSync(join(tmpdir(), 'visual-coder-bench-'));
        ({ dirs: models, conversions } = convertTinyFixtures(work, dtype));
      }
      const rows: BenchRow[] = [];
      for (const model of models) {
        for (const device of devices) {
          const r = runChild(['bench', '--one', '--model', model, '--device', device, '--max-new-tokens', String(maxNewTokens), '--runs', String(runs)]);
          const last = r.stdout.trim().split('\n').pop() ?? '';
          if (r.ok && last.startsWith('{')) rows.push(JSON.parse(last) as BenchRow);
          else {
            rows.push({
              model,
              device,
              requestedDevice: device,
              dtype,
              loadMs: 0,
              preprocessMs: 0,
              visionMs: 0,
              ttftMs: 0,
              decodeTokensPerSecond: 0,
              newTokens: 0,
              promptTokens: 0,
              peakRssMb: 0,
              error: r.stderr.trim().split('\n').pop() ?? 'no output',
            });
          }
        }
      }
      const shown = rows.map((r) => ({ ...r, model: work ? r.model.slice(work.length + 1) : r.model }));
      if (flag(args, 'json') === 'true') process.stdout.write(`${JSON.stringify({ conversions, results: shown })}\n`);
      else {
        for (const c of conversions) process.stdout.write(`converted ${c.model} in ${c.seconds} s, peak RSS ${c.peakRssMb} MB\n`);
        process.stdout.write(`${formatTable(shown)}\n`);
      }
      return rows.some((r) => r.error) ? 1 : 0;
    } finally {
      if (work) rmSync(work, { recursive: true, force: true });
    }
  },
};
