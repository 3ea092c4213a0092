import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { Checkpoint, CheckpointError, f16ToF32, readSafetensorsHeader } from '../../model-host/formats/safetensors';
import { parseNpy, readNpy, writeNpyF32 } from '../../model-host/formats/npy';

const repoRoot = resolve(__dirname, '..', '..');
const tiny = resolve(repoRoot, '..', 'shared', 'fixtures', 'deepseek-vl-reference', 'tiny-deepseek-vl');
const dir = mkdtempSync(join(tmpdir(), 'safetensors-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a safetensors file from [name, dtype, shape, bytes] entries. */
function writeSafetensors(path: string, entries: [string, string, number[], Uint8Array][], truncateBy = 0): void {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const [name, dtype, shape, bytes] of entries) {
    header[name] = { dtype, shape, data_offsets: [offset, offset + bytes.length] };
    offset += bytes.length;
  }
  const h = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  const all = Buffer.concat([len, h, ...entries.map((e) => Buffer.from(e[3]))]);
  writeFileSync(path, all.subarray(0, all.length - truncateBy));
}

test('reads F32, F16 and BF16 tensors by offset and converts them to float32', () => {
  const f32 = new Float32Array([1.5, -2, 3.25]);
  const f16 = new Uint16Array([0x3c00, 0xc000, 0x3555]); // 1, -2, ~0.33325
  const bf16 = new Uint16Array([0x3fc0, 0xc040]); // 1.5, -3
  writeSafetensors(join(dir, 'model.safetensors'), [
    ['a', 'F32', [3], new Uint8Array(f32.buffer)],
    ['b', 'F16', [3], new Uint8Array(f16.buffer)],
    ['c', 'BF16', [1, 2], new Uint8Array(bf16.buffer)],
  ]);
  const ck = Checkpoint.open(dir);
  assert.deepEqual(ck.names().sort(), ['a', 'b', 'c']);
  assert.deepEqual([...ck.readF32('a')], [1.5, -2, 3.25]);
  const b = ck.readF32('b');
  assert.equal(b[0], 1);
  assert.equal(b[1], -2);
  assert.ok(Math.abs(b[2] - 0.33325) < 1e-4);
  assert.deepEqual([...ck.readF32('c')], [1.5, -3]);
  assert.deepEqual(ck.get('c').shape, [1, 2]);
  assert.throws(() => ck.get('nope'), /tensor nope is missing/);
});

test('f16 conversion covers subnormals and infinities', () => {
  assert.equal(f16ToF32(0x0001), 2 ** -24);
  assert.equal(f16ToF32(0x7c00), Infinity);
  assert.ok(Number.isNaN(f16ToF32(0x7e00)));
  assert.equal(f16ToF32(0x7bff), 65504);
});

test('a truncated file names the tensor that does not fit', () => {
  const p = join(dir, 'trunc.safetensors');
  writeSafetensors(
    p,
    [
      ['x', 'F32', [4], new Uint8Array(16)],
      ['y', 'F32', [4], new Uint8Array(16)],
    ],
    5,
  );
  assert.throws(
    () => readSafetensorsHeader(p),
    (e: Error) => e instanceof CheckpointError && /truncated: tensor y/.test(e.message),
  );
});

test('a header whose byte range disagrees with the shape is rejected', () => {
  const p = join(dir, 'bad.safetensors');
  writeSafetensors(p, [['x', 'F32', [5], new Uint8Array(16)]]);
  assert.throws(() => readSafetensorsHeader(p), /tensor x has 16 bytes but shape \[5\]/);
});

test('a sharded checkpoint is read through its index and a missing shard is named', () => {
  const d = mkdtempSync(join(dir, 'sharded-'));
  writeSafetensors(join(d, 'model-00001-of-00002.safetensors'), [['a', 'F32', [1], new Uint8Array(new Float32Array([7]).buffer)]]);
  writeSafetensors(join(d, 'model-00002-of-00002.safetensors'), [['b', 'F32', [1], new Uint8Array(new Float32Array([8]).buffer)]]);
  const index = { weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors' } };
  writeFileSync(join(d, 'model.safetensors.index.json'), JSON.stringify(index));
  const ck = Checkpoint.open(d);
  assert.equal(ck.readF32('b')[0], 8);
  assert.equal(ck.get('a').file, join(d, 'model-00001-of-00002.safetensors'));
  writeFileSync(join(d, 'model.safetensors.index.json'), JSON.stringify({ weight_map: { ...index.weight_map, c: 'model-00003.safetensors' } }));
  assert.throws(() => Checkpoint.open(d), /shard model-00003.safetensors .* is missing/);
});

test('the tiny DeepSeek-VL fixture parses and .npy files round-trip', () => {
  const ck = Checkpoint.open(tiny);
  assert.deepEqual(ck.get('model.language_model.embed_tokens.weight').shape, [512, 64]);
  assert.equal(ck.readF32('model.vision_model.embeddings.patch_embedding.weight').length, 32 * 3 * 16 * 16);
  const px = readNpy(join(tiny, 'ref_pixel_values.npy'));
  assert.deepEqual(px.shape, [1, 3, 64, 64]);
  const p = join(dir, 'x.npy');
  writeNpyF32(p, new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
  const back = readNpy(p);
  assert.deepEqual(back.shape, [2, 3]);
  assert.deepEqual([...back.data], [1, 2, 3, 4, 5, 6]);
  assert.throws(() => parseNpy(Buffer.from('hello world'), 'h.npy'), /h.npy is not a .npy file/);
});
