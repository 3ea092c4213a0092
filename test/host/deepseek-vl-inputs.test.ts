/**
 * DeepSeek-VL's input pipeline against transformers' own processors, through `model-host inputs` (the
 * built CLI, as a user would run it):
 * - every case of ../shared/fixtures/deepseek-vl-processor/cases.json (transformers 5.18 on a rustdoc
 *   page and a cargo timings chart, both checkpoint layouts): prompt and input_ids exactly, pixels to 1e-4;
 * - test/fixtures/deepseek-vl-inputs/cases.json, made by its make_cases.py with transformers 5.18 on
 *   images that were never used while writing the pipeline (portrait, JPEG, EXIF rotation, alpha,
 *   palette transparency, grey, tiny, a 20000×40 strip, a 6000×4000 pattern, an aspect ratio where
 *   truncating and rounding differ): prompt and ids exactly, pixels to 1e-4 of the stored 8-bit squares.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { readNpy } from '../../model-host/formats/npy';
import { hostScript, repoRoot } from './host-test-helpers';

const shared = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'deepseek-vl-processor');
const own = path.join(repoRoot, 'test', 'fixtures', 'deepseek-vl-inputs');
const TOLERANCE = 1e-4;

interface Case {
  model: string;
  image: string | null;
  user_text: string;
  prompt: string;
  input_ids: number[];
  pixel_values?: string;
  high_res_pixel_values?: string;
}

interface Produced {
  prompt: string;
  ids: number[];
  dir: string;
}

function runInputs(processorDir: string, text: string, image: string | undefined, out: string): Produced {
  const args = [hostScript, 'inputs', '--processor', processorDir, '--text', text, '--out', out, ...(image ? ['--image', image] : [])];
  execFileSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  return {
    prompt: readFileSync(path.join(out, 'prompt.txt'), 'utf8'),
    ids: JSON.parse(readFileSync(path.join(out, 'input_ids.json'), 'utf8')) as number[],
    dir: out,
  };
}

function maxDiff(a: Float32Array, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'tensor sizes differ');
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

function ours(dir: string, name: string): Float32Array {
  return readNpy(path.join(dir, `${name}.npy`)).data as Float32Array;
}

test('every case of the transformers processor fixture matches through model-host inputs', () => {
  const { cases } = JSON.parse(readFileSync(path.join(shared, 'cases.json'), 'utf8')) as { cases: Case[] };
  assert.ok(cases.length >= 10);
  const tmp = mkdtempSync(path.join(tmpdir(), 'vc-inputs-'));
  try {
    cases.forEach((c, i) => {
      const got = runInputs(path.join(shared, c.model), c.user_text, c.image ? path.join(shared, 'images', c.image) : undefined, path.join(tmp, String(i)));
      const what = `${c.model} / ${c.image ?? 'no image'} / ${JSON.stringify(c.user_text)}`;
      assert.equal(got.prompt, c.prompt, `prompt of ${what}`);
      assert.deepEqual(got.ids, c.input_ids, `input_ids of ${what}`);
      for (const key of ['pixel_values', 'high_res_pixel_values'] as const) {
        const ref = c[key];
        if (!ref) continue;
        const d = maxDiff(ours(got.dir, key), readNpy(path.join(shared, ref)).data as Float32Array);
        assert.ok(d <= TOLERANCE, `${key} of ${what}: max |diff| ${d}`);
      }
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

/** The view's mean/std as the processor folder configures them. */
function stats(model: string, key: string): { mean: number[]; std: number[] } {
  const dir = path.join(shared, model);
  const nested = (JSON.parse(readFileSync(path.join(dir, 'processor_config.json'), 'utf8')) as { image_processor?: Record<string, number[]> }).image_processor;
  const cfg = nested ?? (JSON.parse(readFileSync(path.join(dir, 'preprocessor_config.json'), 'utf8')) as Record<string, number[]>);
  return key === 'high_res_pixel_values' ? { mean: cfg.high_res_image_mean, std: cfg.high_res_image_std } : { mean: cfg.image_mean, std: cfg.image_std };
}

/** A stored 8-bit square, normalised like the processor (CHW float). */
async function expectedFromPng(file: string, mean: number[], std: number[]): Promise<Float64Array> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  const plane = info.width * info.height;
  const out = new Float64Array(3 * plane);
  for (let c = 0; c < 3; c++) for (let i = 0; i < plane; i++) out[c * plane + i] = (data[i * info.channels + c] / 255 - mean[c]) / std[c];
  return out;
}

/** The 6000×4000 pattern of make_cases.py, drawn here (too big to keep as a file). */
async function writePattern(file: string): Promise<void> {
  const w = 6000;
  const h = 4000;
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3;
      raw[o] = (x * 7 + y * 3) & 255;
      raw[o + 1] = (x ^ y) & 255;
      raw[o + 2] = ((x >> 3) * (y >> 3)) & 255;
    }
  }
  await sharp(raw, { raw: { width: w, height: h, channels: 3 } })
    .png({ compressionLevel: 1 })
    .toFile(file);
}

test('images never used while writing the pipeline match transformers too (JPEG, EXIF, alpha, palette, grey, tiny, strip, 24 MP)', async () => {
  const { cases } = JSON.parse(readFileSync(path.join(own, 'cases.json'), 'utf8')) as { cases: Case[] };
  assert.ok(cases.length >= 20);
  const tmp = mkdtempSync(path.join(tmpdir(), 'vc-inputs-own-'));
  try {
    const pattern = path.join(tmp, 'pattern-6000x4000.png');
    await writePattern(pattern);
    for (const [i, c] of cases.entries()) {
      const image = c.image === 'pattern-6000x4000' ? pattern : path.join(own, 'images', c.image!);
      const got = runInputs(path.join(shared, c.model), c.user_text, image, path.join(tmp, String(i)));
      const what = `${c.model} / ${c.image}`;
      assert.equal(got.prompt, c.prompt, `prompt of ${what}`);
      assert.deepEqual(got.ids, c.input_ids, `input_ids of ${what}`);
      for (const key of ['pixel_values', 'high_res_pixel_values'] as const) {
        const ref = c[key];
        if (!ref) continue;
        const { mean, std } = stats(c.model, key);
        const d = maxDiff(ours(got.dir, key), await expectedFromPng(path.join(own, ref), mean, std));
        assert.ok(d <= TOLERANCE, `${key} of ${what}: max |diff| ${d}`);
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
