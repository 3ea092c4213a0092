/**
 * The fp16 and q4 graph passes on small graphs built here: half-precision bit patterns (rounding,
 * clamping, subnormals), the MatMulNBits packing checked by onnxruntime against x @ dequantize(W)
 * (so a wrong nibble order or zero-point layout fails), the quantization error bound (half a step per
 * block), and an fp16 graph that keeps float32 inputs and outputs.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { convertGraphToFp16, float32ToFloat16Bits } from '../../model-host/convert/dtypes/fp16-pass';
import { readOnnxModel } from '../../model-host/convert/dtypes/onnx-io';
import { dequantizeQ4, quantizeGraphQ4, quantizeQ4 } from '../../model-host/convert/dtypes/q4-pass';
import { DataType, GraphBuilder } from '../../model-host/convert/onnx/graph-builder';

const work = mkdtempSync(path.join(tmpdir(), 'quant-'));
after(() => rmSync(work, { recursive: true, force: true }));

let seed = 7;
const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;

/** y = x @ W (+ a second output through LayerNorm and Softmax), written with external data. */
function matmulGraph(name: string, K: number, N: number, W: Float32Array): string {
  const file = path.join(work, `${name}.onnx`);
  const g = new GraphBuilder(name, `${file}_data`);
  const x = g.input('x', DataType.FLOAT, ['rows', K]);
  const y = g.matmul(x, g.initializer('W', W, [K, N]));
  g.output('y', DataType.FLOAT, ['rows', N], y);
  const ln = g.op1('LayerNormalization', [y, g.constF(new Array(N).fill(1))], { axis: -1, epsilon: 1e-5 });
  g.output('p', DataType.FLOAT, ['rows', N], g.op1('Softmax', [ln], { axis: -1 }));
  g.save(file);
  return file;
}

test('float32 → float16 bits: round to nearest even, clamp to ±65504, subnormals', () => {
  assert.equal(float32ToFloat16Bits(1), 0x3c00);
  assert.equal(float32ToFloat16Bits(0.1), 0x2e66);
  assert.equal(float32ToFloat16Bits(0.5 + 2 ** -12), 0x3800); // tie → even mantissa
  assert.equal(float32ToFloat16Bits(0.5 + 3 * 2 ** -12), 0x3802); // tie → even (up)
  assert.equal(float32ToFloat16Bits(65504), 0x7bff);
  assert.equal(float32ToFloat16Bits(1e9), 0x7bff); // clamped, not Inf
  assert.equal(float32ToFloat16Bits(-3.4e38), 0xfbff); // "minus infinity" masks stay finite
  assert.equal(float32ToFloat16Bits(2 ** -24), 0x0001); // smallest subnormal
  assert.equal(float32ToFloat16Bits(2 ** -26), 0x0000);
  assert.equal(float32ToFloat16Bits(-0), 0x8000);
});

test('q4: dequantized weights are within half a quantization step of the originals', () => {
  const K = 80; // not a multiple of 32: the last block is padded
  const N = 12;
  const W = Float32Array.from({ length: K * N }, rand);
  const q = quantizeQ4(W, K, N);
  assert.equal(q.kBlocks, 3);
  const back = dequantizeQ4(q, K, N);
  for (let k = 0; k < K; k++) {
    for (let n = 0; n < N; n++) {
      const step = q.scales[n * q.kBlocks + Math.floor(k / 32)];
      assert.ok(Math.abs(back[k * N + n] - W[k * N + n]) <= step / 2 + 1e-7, `W[${k},${n}]`);
    }
  }
});

test('q4: MatMulNBits in onnxruntime equals x @ dequantize(W)', async () => {
  const K = 96;
  const N = 40;
  const W = Float32Array.from({ length: K * N }, rand);
  const src = matmulGraph('mm', K, N, W);
  const dst = path.join(work, 'mm_q4.onnx');
  const report = quantizeGraphQ4(src, dst);
  assert.equal(report.quantized, 1);
  assert.ok(report.bytesOut < report.bytesIn / 4);
  const nodes = readOnnxModel(dst).graph.node ?? [];
  assert.ok(nodes.some((n) => n.opType === 'MatMulNBits' && n.domain === 'com.microsoft'));
  const X = Float32Array.from({ length: 3 * K }, rand);
  const session = await ort.InferenceSession.create(dst);
  const y = (await session.run({ x: new ort.Tensor('float32', X, [3, K]) })).y.data as Float32Array;
  const dq = dequantizeQ4(quantizeQ4(W, K, N), K, N);
  let worst = 0;
  for (let i = 0; i < 3; i++) {
    for (let n = 0; n < N; n++) {
      let acc = 0;
      for (let k = 0; k < K; k++) acc += X[i * K + k] * dq[k * N + n];
      worst = Math.max(worst, Math.abs(acc - y[i * N + n]));
    }
  }
  assert.ok(worst < 1e-4, `max |diff| ${worst}`);
  await session.release();
});

test('fp16: the graph computes in half precision behind float32 inputs and outputs', async () => {
  const K = 64;
  const N = 16;
  const W = Float32Array.from({ length: K * N }, rand);
  const src = matmulGraph('mm16', K, N, W);
  const dst = path.join(work, 'mm16_fp16.onnx');
  const report = convertGraphToFp16(src, dst);
  assert.ok(report.bytesOut <= report.bytesIn / 2 + 64);
  const graph = readOnnxModel(dst).graph;
  assert.equal(graph.input?.[0].type?.tensorType?.elemType, DataType.FLOAT);
  assert.ok(graph.output?.every((o) => o.type?.tensorType?.elemType === DataType.FLOAT));
  assert.equal(graph.initializer?.find((t) => t.name === 'W')?.dataType, DataType.FLOAT16);
  const X = Float32Array.from({ length: 2 * K }, rand);
  const feeds = { x: new ort.Tensor('float32', X, [2, K]) };
  const [a, b] = await Promise.all([ort.InferenceSession.create(src), ort.InferenceSession.create(dst)]);
  const ra = await a.run(feeds);
  const rb = await b.run(feeds);
  assert.equal(rb.y.type, 'float32');
  for (const name of ['y', 'p']) {
    const ya = ra[name].data as Float32Array;
    const yb = rb[name].data as Float32Array;
    let worst = 0;
    for (let i = 0; i < ya.length; i++) worst = Math.max(worst, Math.abs(ya[i] - yb[i]));
    assert.ok(worst < 2e-2 && worst > 0, `${name}: fp16 differs from fp32 by ${worst}`);
  }
  await Promise.all([a.release(), b.release()]);
});

test('fp16: an RMSNorm over activations of a few thousand stays finite (the square runs in fp32)', async () => {
  const file = path.join(work, 'rms.onnx');
  const g = new GraphBuilder('rms', `${file}_data`);
  const x = g.input('x', DataType.FLOAT, [1, 8]);
  const variance = g.op1('ReduceMean', [g.mul(x, x)], { axes: [-1], keepdims: 1 });
  const y = g.div(x, g.op1('Sqrt', [g.add(variance, g.scalarF(1e-6))]));
  g.output('y', DataType.FLOAT, [1, 8], y);
  g.save(file);
  const dst = path.join(work, 'rms_fp16.onnx');
  convertGraphToFp16(file, dst);
  const X = Float32Array.from([3000, -1, 0.5, 2, -4, 1, 0.25, 8]);
  const session = await ort.InferenceSession.create(dst);
  const y16 = (await session.run({ x: new ort.Tensor('float32', X, [1, 8]) })).y.data as Float32Array;
  const rms = Math.sqrt(X.reduce((a, v) => a + v * v, 0) / 8);
  X.forEach((v, i) => assert.ok(Math.abs(y16[i] - v / rms) < 2e-3, `y[${i}] = ${y16[i]}, expected ${v / rms}`));
  await session.release();
});
