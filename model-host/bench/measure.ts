/**
 * The measurements `model-host bench` takes inside one child process (so peak RSS belongs to one
 * model on one device): load, image preprocessing, vision encoder, time to first token, decode
 * tokens/s, peak RSS; and, for the dtype check, the logits along a given token sequence.
 *
 * The prompt is shaped like a real request (BOS, the image's tokens, ~40 text tokens: 617 tokens for
 * DeepSeek-VL's 576 image tokens) with fixed ids, so the figures do not depend on the tokenizer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DevicePreference } from '../protocol';
import type { GenerateOutput } from '../engines/engine';
import { DeepseekVlEngine, type RawInputs } from '../engines/deepseek-vl/engine';

export interface BenchRow {
  model: string;
  device: string;
  requestedDevice: string;
  dtype: string;
  loadMs: number;
  preprocessMs: number;
  visionMs: number;
  /** Vision + prefill + first pick. */
  ttftMs: number;
  /** Text prefill alone (ttft − vision). */
  prefillMs: number;
  decodeTokensPerSecond: number;
  newTokens: number;
  promptTokens: number;
  peakRssMb: number;
  /** KV cache held at the end of a run. */
  kvCacheMb?: number;
  error?: string;
}

const now = () => performance.now();
export const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A 1280×800 RGB test card (gradients + stripes): realistic size for a screenshot, no file needed. */
export function syntheticImage(): { data: Uint8Array; width: number; height: number } {
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

interface FolderConfig {
  image_token_id: number;
  num_image_tokens: number;
  text_config: { bos_token_id: number };
  visual_coder?: { dtype?: string };
}

const readFolderConfig = (dir: string) => JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as FolderConfig;

/** BOS, the image tokens, then 40 text tokens (10..49 exist in any vocabulary we convert). */
function benchInputs(engine: DeepseekVlEngine, config: FolderConfig): RawInputs {
  const pixels = engine.processor.pixels(syntheticImage());
  const text = Array.from({ length: 40 }, (_, i) => 10 + i);
  const inputIds = [config.text_config.bos_token_id, ...new Array<number>(config.num_image_tokens).fill(config.image_token_id), ...text];
  return { inputIds, pixelValues: pixels.pixelValues, highResPixelValues: pixels.highResPixelValues };
}

const quietLog = (level: string, message: string) => {
  if (level === 'warn' || level === 'error') process.stderr.write(`${level}: ${message}\n`);
};

export async function measureOne(modelDir: string, device: DevicePreference, maxNewTokens: number, runs: number): Promise<BenchRow> {
  const config = readFolderConfig(modelDir);
  const engine = await DeepseekVlEngine.load(modelDir, device, quietLog, { tokenIdsOnly: true });
  const image = syntheticImage();
  const preprocessTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = now();
    engine.processor.pixels(image);
    preprocessTimes.push(now() - t0);
  }
  const raw = benchInputs(engine, config);
  let kvBytes = 0;
  const ctx = { isCancelled: () => false, onText: () => undefined, log: () => undefined };
  await engine.generateFromInputs(raw, { maxNewTokens: 2 }, ctx); // warm-up (shader compilation on WebGPU, arenas)
  const outs: GenerateOutput[] = [];
  for (let i = 0; i < runs; i++) outs.push(await engine.generateFromInputs(raw, { maxNewTokens }, ctx));
  kvBytes = engine.lastKvCacheBytes;
  // Medians over the runs: this machine is shared, single runs swing by several times.
  const pick = (f: (t: GenerateOutput['timings']) => number) => median(outs.map((o) => f(o.timings)));
  const ttft = pick((t) => t.totalMs - (t.decodeMs ?? 0));
  const vision = pick((t) => t.visionMs ?? 0);
  const row: BenchRow = {
    model: modelDir,
    device: engine.device,
    requestedDevice: device,
    dtype: config.visual_coder?.dtype ?? 'fp32',
    loadMs: round(engine.loadMs),
    preprocessMs: round(median(preprocessTimes)),
    visionMs: round(vision),
    ttftMs: round(ttft),
    prefillMs: round(pick((t) => t.prefillMs ?? 0)),
    decodeTokensPerSecond: round(
      pick((t) => t.decodeTokensPerSecond ?? 0),
      2,
    ),
    newTokens: outs[0].tokens?.length ?? 0,
    promptTokens: raw.inputIds.length,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    kvCacheMb: round(kvBytes / 2 ** 20),
  };
  await engine.dispose();
  return row;
}

export interface LogitsRun {
  tokens: number[];
  vocab: number;
  /** positions × vocab, row-major. */
  logits: Float32Array;
}

/**
 * Greedy tokens and their logits (`tokens` empty: pick greedily, `count` of them), or the logits
 * along the given tokens (teacher forcing).
 */
export async function logitsOf(modelDir: string, device: DevicePreference, tokens: number[], count: number): Promise<LogitsRun> {
  const config = readFolderConfig(modelDir);
  const engine = await DeepseekVlEngine.load(modelDir, device, quietLog, { tokenIdsOnly: true });
  const raw = benchInputs(engine, config);
  let along = tokens;
  if (along.length === 0) {
    const out = await engine.generateFromInputs(
      raw,
      { maxNewTokens: count, temperature: 0 },
      { isCancelled: () => false, onText: () => undefined, log: () => undefined },
    );
    along = out.tokens ?? [];
  }
  // Logits after the prompt and after each token but the last: the positions that chose `along`.
  const rows = await engine.logitsAlong(raw, along.slice(0, -1));
  await engine.dispose();
  const vocab = rows[0].length;
  const logits = new Float32Array(rows.length * vocab);
  rows.forEach((r, i) => logits.set(r, i * vocab));
  return { tokens: along, vocab, logits };
}

export interface LogitsAgreement {
  positions: number;
  maxAbsDiff: number;
  /** maxAbsDiff over the largest |logit| of the reference. */
  relativeMaxDiff: number;
  top1Agreement: number;
}

/** How far `got`'s logits are from the reference's, position by position. */
export function compareLogits(reference: LogitsRun, got: LogitsRun): LogitsAgreement {
  const positions = Math.min(reference.logits.length, got.logits.length) / reference.vocab;
  let maxAbs = 0;
  let scale = 0;
  let agree = 0;
  for (let p = 0; p < positions; p++) {
    let bestR = 0;
    let bestG = 0;
    for (let v = 0; v < reference.vocab; v++) {
      const r = reference.logits[p * reference.vocab + v];
      const g = got.logits[p * reference.vocab + v];
      const d = Math.abs(r - g);
      if (!(d <= maxAbs)) maxAbs = Number.isNaN(d) ? Infinity : d;
      if (Math.abs(r) > scale) scale = Math.abs(r);
      if (r > reference.logits[p * reference.vocab + bestR]) bestR = v;
      if (g > got.logits[p * reference.vocab + bestG]) bestG = v;
    }
    if (bestR === bestG) agree++;
  }
  return { positions, maxAbsDiff: maxAbs, relativeMaxDiff: scale ? maxAbs / scale : 0, top1Agreement: positions ? agree / positions : 0 };
}
