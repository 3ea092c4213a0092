import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { DataType, GraphBuilder } from '../../model-host/convert/onnx/graph-builder';

const dir = mkdtempSync(join(tmpdir(), 'onnx-builder-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a graph with external-data weights round-trips through onnxruntime-node', async () => {
  const modelPath = join(dir, 'mlp.onnx');
  const g = new GraphBuilder('mlp', join(dir, 'mlp.onnx_data'));
  const x = g.input('x', DataType.FLOAT, ['batch_size', 3]);
  // 3x400 weights: large enough (4800 bytes) to go to the external data file.
  const w = new Float32Array(3 * 400).map((_, i) => (i % 7) - 3);
  const bias = new Float32Array(400).map((_, i) => i / 100);
  const y = g.add(g.matmul(x, g.initializer('w', w, [3, 400])), g.initializer('b', bias, [400]));
  const [first, rest] = g.op('Split', [y, g.constI64([1, 399])], { axis: 1 }, { outputs: 2 });
  g.output('y', DataType.FLOAT, ['batch_size', 400], g.op1('Relu', [y]));
  g.output('first', DataType.FLOAT, ['batch_size', 1], first);
  g.output('rest_scaled', DataType.FLOAT, ['batch_size', 399], g.mul(rest, g.scalarF(0.5)));
  g.save(modelPath);
  assert.ok(existsSync(join(dir, 'mlp.onnx_data')));
  assert.ok(statSync(join(dir, 'mlp.onnx_data')).size >= w.byteLength + bias.byteLength);
  assert.ok(statSync(modelPath).size < 2000, 'weights must not be inline');

  const session = await ort.InferenceSession.create(modelPath);
  const input = new Float32Array([1, 2, 3, -1, 0, 0.5]);
  const out = await session.run({ x: new ort.Tensor('float32', input, [2, 3]) });
  const ys = out.y.data as Float32Array;
  for (let r = 0; r < 2; r++) {
    for (let c = 0; c < 400; c++) {
      let v = bias[c];
      for (let k = 0; k < 3; k++) v += input[r * 3 + k] * w[k * 400 + c];
      assert.ok(Math.abs(ys[r * 400 + c] - Math.max(0, v)) < 1e-5, `y[${r},${c}]`);
      if (c === 0) assert.ok(Math.abs((out.first.data as Float32Array)[r] - v) < 1e-5);
      else assert.ok(Math.abs((out.rest_scaled.data as Float32Array)[r * 399 + c - 1] - v / 2) < 1e-5);
    }
  }
  await session.release();
});

test('attributes: ints, floats and forced floats are typed correctly (LayerNormalization epsilon)', async () => {
  const modelPath = join(dir, 'ln.onnx');
  const g = new GraphBuilder('ln');
  const x = g.input('x', DataType.FLOAT, [1, 4]);
  const y = g.op1('LayerNormalization', [x, g.constF([1, 1, 1, 1]), g.constF([0, 0, 0, 0])], { axis: -1, epsilon: 1e-5 });
  g.output('y', DataType.FLOAT, [1, 4], y);
  g.save(modelPath);
  const session = await ort.InferenceSession.create(modelPath);
  const out = await session.run({ x: new ort.Tensor('float32', new Float32Array([1, 2, 3, 4]), [1, 4]) });
  const mean = 2.5;
  const sd = Math.sqrt((2.25 + 0.25 + 0.25 + 2.25) / 4 + 1e-5);
  (out.y.data as Float32Array).forEach((v, i) => assert.ok(Math.abs(v - (i + 1 - mean) / sd) < 1e-5));
  await session.release();
});

test('a tensor name used twice is rejected with its name', () => {
  const g = new GraphBuilder('dup');
  g.input('x', DataType.FLOAT, [1]);
  assert.throws(() => g.initializer('x', new Float32Array([1]), [1]), /tensor name x is used twice/);
  assert.throws(() => g.initializer('bad', new Float32Array([1, 2, 3]), [2, 2]), /do not fill shape/);
});
