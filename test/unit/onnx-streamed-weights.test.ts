/**
 * Large tensors are streamed to the external data file in pieces (only the stored bytes held in
 * memory). Forcing every tensor through that path must give byte-identical weights to the
 * whole-tensor path, for plain, transposed (nn.Linear) and tied-lm_head tensors alike.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { onnx } from 'onnx-proto';
import { convertDeepseekVl } from '../../model-host/convert/deepseek-vl/converter';
import { setStreamThreshold } from '../../model-host/convert/deepseek-vl/weights';
import { DataType, GraphBuilder } from '../../model-host/convert/onnx/graph-builder';

const repoRoot = resolve(__dirname, '..', '..');
const REF = resolve(repoRoot, '..', 'shared', 'fixtures', 'deepseek-vl-reference', 'tiny-deepseek-vl');
const work = mkdtempSync(join(tmpdir(), 'streamed-weights-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('streaming every tensor gives byte-identical ONNX weights and graphs', () => {
  convertDeepseekVl({ from: REF, to: join(work, 'whole') });
  const previous = setStreamThreshold(0);
  try {
    convertDeepseekVl({ from: REF, to: join(work, 'streamed') });
  } finally {
    setStreamThreshold(previous);
  }
  for (const graph of ['vision_encoder', 'embed_tokens', 'decoder_model_merged']) {
    const whole = initializerBytes(join(work, 'whole', 'onnx'), graph);
    const streamed = initializerBytes(join(work, 'streamed', 'onnx'), graph);
    assert.deepEqual([...streamed.keys()].sort(), [...whole.keys()].sort(), graph);
    for (const [name, bytes] of whole) assert.ok(bytes.equals(streamed.get(name) ?? Buffer.alloc(0)), `${graph}: ${name} differs`);
  }
});

/** Every initializer's bytes, inline or from the external data file. */
function initializerBytes(dir: string, graph: string): Map<string, Buffer> {
  const model = onnx.ModelProto.decode(readFileSync(join(dir, `${graph}.onnx`)));
  const out = new Map<string, Buffer>();
  for (const t of model.graph?.initializer ?? []) {
    if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
      const field = (k: string) => (t.externalData ?? []).find((e) => e.key === k)?.value ?? '';
      const data = readFileSync(join(dir, field('location')));
      const offset = Number(field('offset'));
      out.set(t.name ?? '', data.subarray(offset, offset + Number(field('length'))));
    } else {
      out.set(t.name ?? '', Buffer.from(t.rawData ?? new Uint8Array(0)));
    }
  }
  return out;
}

test('a streamed initializer whose pieces do not fill its shape is rejected', () => {
  const g = new GraphBuilder('bad', join(work, 'bad.onnx_data'));
  g.input('x', DataType.FLOAT, [1]);
  const pieces = [new Uint8Array(8), new Uint8Array(4)];
  assert.throws(() => g.streamedInitializer('w', [2, 2], DataType.FLOAT, pieces), /streamed 12 bytes, shape \[2, 2\] needs 16/);
  g.abort();
  assert.throws(() => new GraphBuilder('inline').streamedInitializer('w', [1], DataType.FLOAT, [new Uint8Array(4)]), /no external data file/);
});
