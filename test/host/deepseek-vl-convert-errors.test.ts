/**
 * `model-host convert` on broken checkpoints: each problem is named in the error, the exit code is
 * 1, and neither the output folder nor a temporary folder is left behind.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { readSafetensorsHeader, readTensorBytes } from '../../model-host/formats/safetensors';
import { hostScript, repoRoot } from './host-test-helpers';

const REF = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'deepseek-vl-reference', 'tiny-deepseek-vl');
const work = mkdtempSync(path.join(tmpdir(), 'dsvl-broken-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** A copy of the tiny checkpoint whose safetensors is rebuilt with `edit` applied to the tensor list. */
function brokenCheckpoint(name: string, edit: (t: { name: string; dtype: string; shape: number[]; bytes: Uint8Array }[]) => void, truncate = 0): string {
  const dir = path.join(work, name);
  mkdirSync(dir);
  for (const f of ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json']) copyFileSync(path.join(REF, f), path.join(dir, f));
  const tensors = readSafetensorsHeader(path.join(REF, 'model.safetensors')).map((t) => ({
    name: t.name,
    dtype: t.dtype,
    shape: t.shape,
    bytes: readTensorBytes(t),
  }));
  edit(tensors);
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.bytes.length] };
    offset += t.bytes.length;
  }
  const h = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  const file = Buffer.concat([len, h, ...tensors.map((t) => Buffer.from(t.bytes))]);
  writeFileSync(path.join(dir, 'model.safetensors'), file.subarray(0, file.length - truncate));
  return dir;
}

function convertFails(from: string, expected: RegExp): void {
  const out = path.join(work, `${path.basename(from)}-out`);
  const r = spawnSync(process.execPath, [hostScript, 'convert', '--from', from, '--to', out], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 1, `exit ${r.status}: ${r.stderr}`);
  assert.match(r.stderr, expected);
  assert.ok(!existsSync(out), 'no output folder may be left');
  assert.deepEqual(
    readdirSync(work).filter((f) => f.includes('converting')),
    [],
    'no temporary folder may be left',
  );
}

test('a missing tensor is named', () => {
  const dir = brokenCheckpoint('missing', (ts) =>
    ts.splice(
      ts.findIndex((t) => t.name.endsWith('layers.1.mlp.up_proj.weight')),
      1,
    ),
  );
  convertFails(dir, /tensor model\.language_model\.layers\.1\.mlp\.up_proj\.weight is missing/);
});

test('a tensor with the wrong shape is named with both shapes', () => {
  const dir = brokenCheckpoint('shape', (ts) => {
    const t = ts.find((x) => x.name === 'model.aligner.linear2.weight');
    if (!t) throw new Error('fixture changed');
    t.shape = [32, 128];
  });
  convertFails(dir, /tensor model\.aligner\.linear2\.weight has shape \[32, 128\] but the config implies \[64, 64\]/);
});

test('a truncated safetensors file is named with the tensor that does not fit', () => {
  const dir = brokenCheckpoint('truncated', () => undefined, 100);
  convertFails(dir, /model\.safetensors is truncated: tensor \S+ ends at byte/);
});

test('an unknown model_type is named', () => {
  const dir = brokenCheckpoint('llava', () => undefined);
  const cfg = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...cfg, model_type: 'llava_next' }));
  convertFails(dir, /unsupported model_type "llava_next"/);
});

test('an existing output folder is not replaced without --overwrite', () => {
  const out = path.join(work, 'existing');
  mkdirSync(out);
  writeFileSync(path.join(out, 'keep.txt'), 'mine');
  const r = spawnSync(process.execPath, [hostScript, 'convert', '--from', REF, '--to', out], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /already exists/);
  assert.equal(readFileSync(path.join(out, 'keep.txt'), 'utf8'), 'mine');
});

test('a temporary folder left by a killed conversion is removed by the next one', () => {
  const parent = mkdtempSync(path.join(work, 'stale-'));
  const stale = path.join(parent, '.model.converting-999999999-1');
  mkdirSync(path.join(stale, 'onnx'), { recursive: true });
  const r = spawnSync(process.execPath, [hostScript, 'convert', '--from', REF, '--to', path.join(parent, 'model')], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!existsSync(stale));
  assert.deepEqual(readdirSync(parent), ['model']);
  assert.ok(existsSync(path.join(parent, 'model', 'onnx', 'decoder_model_merged.onnx')));
});
