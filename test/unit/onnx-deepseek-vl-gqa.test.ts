/**
 * Grouped-query attention in the converted decoder: a checkpoint with 2 KV heads for 4 query heads
 * must give the same logits as the equivalent multi-head checkpoint whose K/V heads are those 2
 * heads each repeated (query head h reads KV head floor(h / 2), as transformers' repeat_kv does).
 */
import { strict as assert } from 'node:assert';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { convertDeepseekVl } from '../../model-host/convert/deepseek-vl/converter';
import { readSafetensorsHeader, readTensorBytes } from '../../model-host/formats/safetensors';

const repoRoot = resolve(__dirname, '..', '..');
const REF = resolve(repoRoot, '..', 'shared', 'fixtures', 'deepseek-vl-reference', 'tiny-deepseek-vl');
const work = mkdtempSync(join(tmpdir(), 'dsvl-gqa-'));
after(() => rmSync(work, { recursive: true, force: true }));

const HEAD_DIM = 16;
const HIDDEN = 64;

/** Rows of a [4*16, 64] projection for the given head order. */
function pickHeads(bytes: Uint8Array, heads: number[]): Uint8Array {
  const rowBytes = HIDDEN * 4 * HEAD_DIM;
  const out = new Uint8Array(heads.length * rowBytes);
  heads.forEach((h, i) => out.set(bytes.subarray(h * rowBytes, (h + 1) * rowBytes), i * rowBytes));
  return out;
}

function derivedCheckpoint(name: string, kvHeads: number[], numKv: number): string {
  const dir = join(work, name);
  mkdirSync(dir);
  for (const f of ['generation_config.json', 'tokenizer.json', 'tokenizer_config.json']) copyFileSync(join(REF, f), join(dir, f));
  const cfg = JSON.parse(readFileSync(join(REF, 'config.json'), 'utf8')) as { text_config: Record<string, unknown> };
  cfg.text_config.num_key_value_heads = numKv;
  writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg));
  const header: Record<string, unknown> = {};
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const t of readSafetensorsHeader(join(REF, 'model.safetensors'))) {
    let bytes = readTensorBytes(t);
    let shape = t.shape;
    if (/self_attn\.[kv]_proj\.weight$/.test(t.name) && t.name.includes('language_model')) {
      bytes = pickHeads(bytes, kvHeads);
      shape = [kvHeads.length * HEAD_DIM, HIDDEN];
    }
    header[t.name] = { dtype: t.dtype, shape, data_offsets: [offset, offset + bytes.length] };
    chunks.push(Buffer.from(bytes));
    offset += bytes.length;
  }
  const h = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  writeFileSync(join(dir, 'model.safetensors'), Buffer.concat([len, h, ...chunks]));
  const out = join(work, `${name}-onnx`);
  convertDeepseekVl({ from: dir, to: out });
  return out;
}

async function logitsAndPresent(model: string, embeds: Float32Array, seq: number, numKv: number) {
  const decoder = await ort.InferenceSession.create(join(model, 'onnx', 'decoder_model_merged.onnx'));
  const feeds: Record<string, ort.Tensor> = {
    inputs_embeds: new ort.Tensor('float32', embeds, [1, seq, HIDDEN]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(seq).fill(1n), [1, seq]),
    position_ids: new ort.Tensor(
      'int64',
      BigInt64Array.from({ length: seq }, (_, i) => BigInt(i)),
      [1, seq],
    ),
    num_logits_to_keep: new ort.Tensor('int64', BigInt64Array.of(0n), []), // every position
  };
  for (let l = 0; l < 2; l++) {
    for (const kv of ['key', 'value']) feeds[`past_key_values.${l}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [1, numKv, 0, HEAD_DIM]);
  }
  const out = await decoder.run(feeds);
  await decoder.release();
  return { logits: out.logits.data as Float32Array, presentDims: out['present.1.value'].dims };
}

test('GQA (2 KV heads) equals MHA with each KV head repeated for its query group', async () => {
  const gqa = derivedCheckpoint('gqa', [0, 1], 2);
  const mha = derivedCheckpoint('mha', [0, 0, 1, 1], 4);
  const seq = 9;
  const embeds = new Float32Array(seq * HIDDEN).map((_, i) => Math.sin(i * 0.37));
  const a = await logitsAndPresent(gqa, embeds, seq, 2);
  const b = await logitsAndPresent(mha, embeds, seq, 4);
  assert.deepEqual(a.presentDims, [1, 2, seq, HEAD_DIM]);
  assert.deepEqual(b.presentDims, [1, 4, seq, HEAD_DIM]);
  let d = 0;
  for (let i = 0; i < a.logits.length; i++) d = Math.max(d, Math.abs(a.logits[i] - b.logits[i]));
  assert.ok(d < 1e-5, `max-abs ${d}`);
  // And the grouping is not trivially symmetric: pairing heads the other way changes the result.
  const swapped = derivedCheckpoint('mha-interleaved', [0, 1, 0, 1], 4);
  const c = await logitsAndPresent(swapped, embeds, seq, 4);
  let e = 0;
  for (let i = 0; i < a.logits.length; i++) e = Math.max(e, Math.abs(a.logits[i] - c.logits[i]));
  assert.ok(e > 1e-3, 'interleaved heads must differ');
});
