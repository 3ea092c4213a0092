/**
 * Number-for-number parity of the converted tiny DeepSeek-VL (fp32, CPU) with the Hugging Face
 * transformers reference: SigLIP output, aligned image features, logits at every prompt position
 * (num_logits_to_keep 0, with and without a KV cache) and at the last N (num_logits_to_keep N), and
 * the 12 greedy tokens through the real `model-host run` CLI.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { readNpy } from '../../model-host/formats/npy';
import { hostScript, repoRoot, runReference } from './host-test-helpers';

const REF = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'deepseek-vl-reference', 'tiny-deepseek-vl');
const TOL = 1e-4;
const reference = JSON.parse(readFileSync(path.join(REF, 'reference.json'), 'utf8')) as {
  input_ids: number[];
  image_token_id: number;
  greedy_new_tokens: number[];
};
const work = mkdtempSync(path.join(tmpdir(), 'dsvl-parity-'));
const model = path.join(work, 'tiny-onnx');
const H = 64;

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'tensor sizes differ');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const refF32 = (name: string) => readNpy(path.join(REF, name)).data as Float32Array;
const i64 = (values: number[], dims: number[]) => new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), dims);

let vision: Record<string, ort.Tensor>;

before(async () => {
  const r = spawnSync(process.execPath, [hostScript, 'convert', '--from', REF, '--to', model, '--json'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as { seconds: number; peakRssMb: number };
  process.stderr.write(`# tiny conversion: ${summary.seconds} s, peak RSS ${summary.peakRssMb} MB\n`);
  const px = readNpy(path.join(REF, 'ref_pixel_values.npy'));
  const session = await ort.InferenceSession.create(path.join(model, 'onnx', 'vision_encoder.onnx'));
  vision = await session.run({ pixel_values: new ort.Tensor('float32', px.data as Float32Array, px.shape) });
  await session.release();
});
after(() => rmSync(work, { recursive: true, force: true }));

test('SigLIP last_hidden_state matches the reference', () => {
  assert.deepEqual(vision.vision_last_hidden_state.dims, [1, 16, 32]);
  const d = maxAbs(vision.vision_last_hidden_state.data as Float32Array, refF32('ref_image_last_hidden_state.npy'));
  process.stderr.write(`# siglip max-abs ${d}\n`);
  assert.ok(d < TOL, `max-abs ${d}`);
});

test('aligned image embeddings match the reference', () => {
  assert.deepEqual(vision.image_features.dims, [1, 16, H]);
  const d = maxAbs(vision.image_features.data as Float32Array, refF32('ref_image_pooler_output.npy'));
  process.stderr.write(`# image features max-abs ${d}\n`);
  assert.ok(d < TOL, `max-abs ${d}`);
});

/**
 * Runs embed_tokens + decoder over the reference prompt, optionally split at `split` with the KV cache;
 * `keep` is fed as num_logits_to_keep (0: logits at every position).
 */
async function promptLogits(split?: number, keep = 0): Promise<Float32Array> {
  const ids = reference.input_ids;
  const embed = await ort.InferenceSession.create(path.join(model, 'onnx', 'embed_tokens.onnx'));
  const decoder = await ort.InferenceSession.create(path.join(model, 'onnx', 'decoder_model_merged.onnx'));
  const embeds = (await embed.run({ input_ids: i64(ids, [1, ids.length]) })).inputs_embeds.data as Float32Array;
  const features = vision.image_features.data as Float32Array;
  let k = 0;
  ids.forEach((id, i) => {
    if (id === reference.image_token_id) embeds.set(features.subarray(k * H, ++k * H), i * H);
  });
  assert.equal(k, 16);
  const spans = split
    ? [
        [0, split],
        [split, ids.length],
      ]
    : [[0, ids.length]];
  let past: Record<string, ort.Tensor> = {};
  for (let l = 0; l < 2; l++) {
    for (const kv of ['key', 'value']) past[`past_key_values.${l}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [1, 4, 0, 16]);
  }
  const logits: Float32Array[] = [];
  for (const [s, e] of spans) {
    const out = await decoder.run({
      inputs_embeds: new ort.Tensor('float32', embeds.slice(s * H, e * H), [1, e - s, H]),
      attention_mask: i64(new Array(e).fill(1), [1, e]),
      position_ids: i64(
        Array.from({ length: e - s }, (_, i) => s + i),
        [1, e - s],
      ),
      num_logits_to_keep: i64([keep], []),
      ...past,
    });
    logits.push(out.logits.data as Float32Array);
    past = Object.fromEntries(
      Object.entries(out)
        .filter(([n]) => n.startsWith('present.'))
        .map(([n, t]) => [n.replace('present.', 'past_key_values.'), t]),
    );
  }
  await embed.release();
  await decoder.release();
  const all = new Float32Array(logits.reduce((n, l) => n + l.length, 0));
  let o = 0;
  for (const l of logits) {
    all.set(l, o);
    o += l.length;
  }
  return all;
}

test('logits at every prompt position match the reference (one prefill)', async () => {
  const d = maxAbs(await promptLogits(), refF32('ref_logits.npy'));
  process.stderr.write(`# logits max-abs ${d}\n`);
  assert.ok(d < TOL, `max-abs ${d}`);
});

test('logits also match when the prompt is fed in two parts through the KV cache', async () => {
  const d = maxAbs(await promptLogits(25), refF32('ref_logits.npy'));
  assert.ok(d < TOL, `max-abs ${d}`);
});

test('num_logits_to_keep = N returns the logits of the last N positions only', async () => {
  const ref = refF32('ref_logits.npy');
  const V = ref.length / reference.input_ids.length;
  for (const keep of [1, 3]) {
    const got = await promptLogits(undefined, keep);
    assert.equal(got.length, keep * V, `keep ${keep}: ${got.length / V} positions`);
    const d = maxAbs(got, ref.subarray(ref.length - keep * V));
    assert.ok(d < TOL, `keep ${keep}: max-abs ${d}`);
  }
  // With the KV cache the second part's last position is still the prompt's last one.
  const split = await promptLogits(25, 1);
  assert.equal(split.length, 2 * V, 'one position from each part');
  assert.ok(maxAbs(split.subarray(V), ref.subarray(ref.length - V)) < TOL);
});

test('model-host run --json gives the 12 greedy reference tokens', () => {
  const { out } = runReference(model, REF);
  process.stderr.write(`# run timings ${JSON.stringify(out.timings)}\n`);
  assert.deepEqual(out.tokens, reference.greedy_new_tokens);
  assert.equal(out.device, 'cpu');
  assert.equal(out.finishReason, 'length');
  assert.ok(out.timings.prefillMs !== undefined && out.timings.visionMs !== undefined);
});
