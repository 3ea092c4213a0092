/**
 * The kv-rows decoder (convert/deepseek-vl/fast-decoder.ts) on the tiny reference checkpoints, CPU.
 *
 * - In fp32 it is the reference: logits at every prompt position within 1e-4 of transformers and the
 *   greedy tokens equal, through the runtime's own cache (engines/deepseek-vl/kv-cache.ts).
 * - At every prompt length (1 to 600 text tokens, across the 32-token boundary where WebGPU's
 *   GroupQueryAttention once went wrong) its last-position logits match the op-by-op fp32 decoder.
 * - A long generation crosses the cache's growth steps and stays token for token on the op-by-op path.
 * - q4 and q4f16 compute what fp32 computes with their 4-bit weights: on a checkpoint whose weights
 *   already lie on the 4-bit grid, their logits along the reference tokens (teacher forcing) stay
 *   within the int8/fp16 activation error of fp32's. (On the raw random weights 4 bits lose most of
 *   the signal, which says nothing about the graph; that figure is printed, not asserted.)
 * - fp16 is compared with fp32 on the fixture itself.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { readOnnxModel } from '../../model-host/convert/dtypes/onnx-io';
import { DeepseekVlEngine, type RawInputs } from '../../model-host/engines/deepseek-vl/engine';
import { readNpy } from '../../model-host/formats/npy';
import { readSafetensorsHeader, readTensorBytes, toFloat32 } from '../../model-host/formats/safetensors';
import { writeSafetensors } from '../../model-host/formats/safetensors-writer';
import { dequantizeRows, quantizeRows } from '../../model-host/convert/dtypes/block-quant';
import { hostScript, repoRoot, runReference } from './host-test-helpers';

const FIXTURES = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'deepseek-vl-reference');
const CHECK = path.join(__dirname, 'deepseek-vl-hybrid-parity-check.ts');
const work = mkdtempSync(path.join(tmpdir(), 'dsvl-fast-'));
after(() => rmSync(work, { recursive: true, force: true }));

interface Reference {
  input_ids: number[];
  greedy_new_tokens: number[];
}
const reference = (fixture: string) => JSON.parse(readFileSync(path.join(FIXTURES, fixture, 'reference.json'), 'utf8')) as Reference;

function convertFrom(from: string, name: string, ...extra: string[]): string {
  const to = path.join(work, name);
  const r = spawnSync(process.execPath, [hostScript, 'convert', '--from', from, '--to', to, ...extra], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  return to;
}
const convert = (fixture: string, name: string, ...extra: string[]) => convertFrom(path.join(FIXTURES, fixture), name, ...extra);

/**
 * A copy of a fixture checkpoint with its config patched and each float tensor passed through
 * `transform` (written as F32, so transformed values are kept exactly).
 */
function derivedCheckpoint(
  fixture: string,
  name: string,
  patch: (config: Record<string, unknown>) => void,
  transform = (_n: string, v: Float32Array, _s: number[]) => v,
): string {
  const src = path.join(FIXTURES, fixture);
  const dir = path.join(work, name);
  mkdirSync(dir);
  for (const f of readdirSync(src)) {
    if (!f.endsWith('.safetensors') && !f.endsWith('.npy') && f !== 'config.json') copyFileSync(path.join(src, f), path.join(dir, f));
  }
  const config = JSON.parse(readFileSync(path.join(src, 'config.json'), 'utf8')) as Record<string, unknown>;
  patch(config);
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  const tensors = readSafetensorsHeader(path.join(src, 'model.safetensors')).map((t) => {
    const values = transform(t.name, toFloat32(readTensorBytes(t), t.dtype, t.name), t.shape);
    return { name: t.name, dtype: 'F32' as const, shape: t.shape, bytes: () => [new Uint8Array(values.buffer, values.byteOffset, values.byteLength)] };
  });
  writeSafetensors(path.join(dir, 'model.safetensors'), tensors);
  return dir;
}

/** The language model's 2-D weights (projections, embeddings) put on the 4-bit grid the converter uses with --q4-block 32. */
const onQ4Grid = (name: string, values: Float32Array, shape: number[]) => {
  if (!name.startsWith('model.language_model.') || shape.length !== 2) return values;
  const [rows, cols] = shape;
  return dequantizeRows(quantizeRows(rows, cols, 4, (r, out) => out.set(values.subarray(r * cols, (r + 1) * cols)), { blockSize: 32, symmetric: true }));
};

const quiet = () => undefined;
const ctx = { isCancelled: () => false, onText: quiet, log: quiet };

function referenceInputs(fixture: string): RawInputs {
  const px = readNpy(path.join(FIXTURES, fixture, 'ref_pixel_values.npy'));
  return { inputIds: reference(fixture).input_ids, pixelValues: { data: px.data as Float32Array, dims: px.shape } };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const argmax = (x: Float32Array) => x.reduce((best, v, i) => (v > x[best] ? i : best), 0);
const largest = (rows: Float32Array[]) => Math.max(...rows.map((r) => r.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));

let opByOp: string;
before(() => {
  opByOp = convert('tiny-deepseek-vl', 'op-by-op');
});

for (const fixture of ['tiny-deepseek-vl', 'tiny-deepseek-vl-hybrid']) {
  test(`${fixture}: the fp32 kv-rows decoder gives the reference logits and greedy tokens`, () => {
    const model = convert(fixture, `${fixture}-fast`, '--fused');
    const graph = readOnnxModel(path.join(model, 'onnx', 'decoder_model_merged.onnx')).graph;
    const ops = new Set((graph.node ?? []).map((n) => n.opType));
    for (const op of ['GroupQueryAttention', 'RotaryEmbedding', 'SkipSimplifiedLayerNormalization', 'ScatterND', 'Gather']) {
      assert.ok(ops.has(op), `no ${op} node`);
    }
    assert.ok(!ops.has('Softmax'), 'attention is not written out op by op');
    assert.ok(
      (graph.input ?? []).some((i) => i.name === 'input_ids'),
      'embeddings are gathered in the graph',
    );
    const r = spawnSync(process.execPath, ['--import', 'tsx', CHECK, 'cpu', '0', model, path.join(FIXTURES, fixture)], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { maxAbs: Record<string, number> };
    process.stderr.write(`# ${fixture} kv-rows fp32 parity: ${JSON.stringify(result.maxAbs)}\n`);
    assert.ok(result.maxAbs.logits <= 1e-4, `logits max |diff| ${result.maxAbs.logits}`);
    assert.deepEqual(runReference(model, path.join(FIXTURES, fixture)).out.tokens, reference(fixture).greedy_new_tokens);
  });
}

test('at every prompt length from 1 to 600 tokens the kv-rows decoder matches the op-by-op one', async () => {
  // The fixture's RoPE tables end at 256 positions; the same weights with 1024.
  const long = derivedCheckpoint('tiny-deepseek-vl', 'long-context', (c) => ((c.text_config as Record<string, unknown>).max_position_embeddings = 1024));
  const fast = await DeepseekVlEngine.load(convertFrom(long, 'fast-lengths', '--fused'), 'cpu', quiet);
  const slow = await DeepseekVlEngine.load(convertFrom(long, 'slow-lengths'), 'cpu', quiet);
  let worst = 0;
  for (const length of [1, 2, 31, 32, 33, 64, 257, 600]) {
    const ids = Array.from({ length }, (_, i) => 10 + ((i * 37) % 400));
    // The prompt, then three steps through the cache.
    const [a, b] = [await fast.logitsAlong({ inputIds: ids }, [5, 6, 7]), await slow.logitsAlong({ inputIds: ids }, [5, 6, 7])];
    for (let p = 0; p < a.length; p++) worst = Math.max(worst, maxAbsDiff(a[p], b[p]));
  }
  await fast.dispose();
  await slow.dispose();
  process.stderr.write(`# kv-rows vs op-by-op over prompt lengths 1..600: max |diff| ${worst}\n`);
  assert.ok(worst <= 1e-4, `max |diff| ${worst}`);
});

test('a 150-token generation grows the cache past its first capacity and keeps to the op-by-op tokens', async () => {
  const inputs = referenceInputs('tiny-deepseek-vl');
  const fast = await DeepseekVlEngine.load(convert('tiny-deepseek-vl', 'fast-long', '--fused'), 'cpu', quiet);
  const slow = await DeepseekVlEngine.load(opByOp, 'cpu', quiet);
  const a = await fast.generateFromInputs(inputs, { maxNewTokens: 150 }, ctx);
  const b = await slow.generateFromInputs(inputs, { maxNewTokens: 150 }, ctx);
  await fast.dispose();
  await slow.dispose();
  assert.equal(a.tokens?.length, b.tokens?.length);
  assert.deepEqual(a.tokens, b.tokens);
  assert.ok((a.tokens?.length ?? 0) > 64 + 1, 'long enough to need a second capacity step');
});

/**
 * Teacher-forced logits of two folders along the reference tokens. `withImage` false: the reference
 * prompt without its image tokens, so only the language model is compared (the vision towers have
 * their own dtype and their own test below).
 */
async function alongReference(model: string, reference: string, withImage = false): Promise<{ relative: number; top1: number; positions: number }> {
  const full = referenceInputs('tiny-deepseek-vl');
  const imageToken = (JSON.parse(readFileSync(path.join(FIXTURES, 'tiny-deepseek-vl', 'reference.json'), 'utf8')) as { image_token_id: number }).image_token_id;
  const inputs = withImage ? full : { inputIds: full.inputIds.filter((id) => id !== imageToken) };
  const along = referenceTokens().slice(0, -1);
  const got = await DeepseekVlEngine.load(model, 'cpu', quiet);
  const ref = await DeepseekVlEngine.load(reference, 'cpu', quiet);
  const a = await got.logitsAlong(inputs, along);
  const b = await ref.logitsAlong(inputs, along);
  await got.dispose();
  await ref.dispose();
  const relative = Math.max(...a.map((row, p) => maxAbsDiff(row, b[p]))) / largest(b);
  return { relative, top1: a.filter((row, p) => argmax(row) === argmax(b[p])).length / a.length, positions: a.length };
}
const referenceTokens = () => reference('tiny-deepseek-vl').greedy_new_tokens;

// What the activations cost once the weights are exact: none beyond rounding (q4 with float
// activations), fp16 (q4f16), int8 blocks (q4 as shipped, accuracy_level 4: measured 7.9 % here). The fp16 KV cache is in all three (0.35 %).
for (const [label, dtype, extra, limit, top1] of [
  ['q4 (float activations)', 'q4', ['--q4-accuracy', '0'], 0.01, 1],
  ['q4f16', 'q4f16', [], 0.02, 1],
  ['q4 (int8 activations)', 'q4', [], 0.15, 0.75],
] as const) {
  test(`${label}: with weights on the 4-bit grid the logits stay within ${limit * 100} % of fp32's`, async () => {
    const name = label.replace(/\W+/g, '-');
    const grid = derivedCheckpoint('tiny-deepseek-vl', `grid-${name}`, () => undefined, onQ4Grid);
    const model = convertFrom(grid, `grid-${name}-onnx`, '--dtype', dtype, '--q4-block', '32', ...extra);
    const ops = new Set((readOnnxModel(path.join(model, 'onnx', 'decoder_model_merged.onnx')).graph.node ?? []).map((n) => n.opType));
    assert.ok(ops.has('MatMulNBits') && ops.has('GatherBlockQuantized'), 'projections and embeddings are 4-bit');
    const r = await alongReference(model, convertFrom(grid, `grid-${name}-fp32`));
    const raw = await alongReference(convert('tiny-deepseek-vl', `raw-${name}`, '--dtype', dtype, ...extra), opByOp);
    process.stderr.write(
      `# ${label} vs fp32 over ${r.positions} positions: ${(r.relative * 100).toFixed(2)} % of the largest logit, top-1 ${(r.top1 * 100).toFixed(0)} % ` +
        `(raw random weights: ${(raw.relative * 100).toFixed(0)} %, top-1 ${(raw.top1 * 100).toFixed(0)} %)\n`,
    );
    assert.ok(r.relative <= limit, `relative max |diff| ${r.relative}`);
    assert.ok(r.top1 >= top1, `top-1 agreement ${r.top1}`);
  });
}

test("fp16: logits along the reference tokens stay within 1 % of fp32's, top-1 agreeing", async () => {
  const r = await alongReference(convert('tiny-deepseek-vl', 'fast-fp16', '--dtype', 'fp16'), opByOp, true);
  process.stderr.write(
    `# fp16 vs fp32 over ${r.positions} positions: ${(r.relative * 100).toFixed(2)} % of the largest logit, top-1 ${(r.top1 * 100).toFixed(0)} %\n`,
  );
  assert.ok(r.relative <= 0.01, `relative max |diff| ${r.relative}`);
  assert.equal(r.top1, 1);
});

// The CPU folder's vision tower is int8 (DynamicQuantizeMatMul); its stated tolerance on SigLIP's output.
test('q4 folders: the int8 vision tower stays within 5 % of fp32 on SigLIP and aligned features', async () => {
  const inputs = referenceInputs('tiny-deepseek-vl');
  const q4 = await DeepseekVlEngine.load(convert('tiny-deepseek-vl', 'vision-q4', '--dtype', 'q4'), 'cpu', quiet);
  const fp32 = await DeepseekVlEngine.load(opByOp, 'cpu', quiet);
  const a = await q4.encodeImage(inputs);
  const b = await fp32.encodeImage(inputs);
  await q4.dispose();
  await fp32.dispose();
  for (const name of ['vision_last_hidden_state', 'image_features']) {
    const got = a[name].data as Float32Array;
    const ref = b[name].data as Float32Array;
    const relative = maxAbsDiff(got, ref) / largest([ref]);
    process.stderr.write(`# int8 vision ${name}: ${(relative * 100).toFixed(2)} % of the largest value\n`);
    assert.ok(relative <= 0.05, `${name}: ${relative}`);
  }
});
