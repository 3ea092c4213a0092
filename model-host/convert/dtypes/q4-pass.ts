/**
 * 4- or 8-bit weight quantization of a converted graph: every `MatMul(x, W)` whose W is a float32
 * initializer [K, N] becomes ONNX Runtime's contrib op `com.microsoft.MatMulNBits` (block_size 32),
 * which CPU, CUDA and WebGPU execute with fused dequantization. Activations stay float32. The block
 * layout is block-quant.ts's; this pass only finds the weights and rewrites the nodes.
 *
 * Layout (ONNX Runtime ContribOperators spec): W is stored transposed, B = uint8 [N, k_blocks, 16]
 * with two 4-bit codes per byte, the lower K index in the low nibble; scales float [N, k_blocks];
 * zero points uint8 [N, ceil(k_blocks / 2)], also two per byte, low nibble first. A value is
 * `(code − zero_point) · scale`. Quantization is asymmetric per block of 32 along K:
 * range [min(0, lo), max(0, hi)] (so 0 is exact), scale = range / 15, zero point = round(−min / scale).
 * K that is not a multiple of 32 is zero-padded in the last block.
 */
import type { onnx } from 'onnx-proto';
import { DataType } from '../onnx/model-writer';
import { asFloat32, GraphWriter, initializerBytes, readOnnxModel } from './onnx-io';
import { BLOCK_SIZE, columnsOf, dequantizeRows, type QuantBits, quantizeRows } from './block-quant';

export const Q4_BLOCK_SIZE = BLOCK_SIZE;

export interface Q4Weight {
  packed: Uint8Array;
  scales: Float32Array;
  zeroPoints: Uint8Array;
  kBlocks: number;
}

/** Quantizes W [K, N] (row-major, as MatMul's right operand) into MatMulNBits' 4-bit layout. */
export function quantizeQ4(w: Float32Array, K: number, N: number): Q4Weight {
  const q = quantizeRows(N, K, 4, columnsOf(w, K, N));
  return { packed: q.data, scales: q.scales, zeroPoints: q.zeroPoints ?? new Uint8Array(0), kBlocks: q.kBlocks };
}

/** The float value each code stands for, [K, N] like the input (for error reports and tests). */
export function dequantizeQ4(q: Q4Weight, K: number, N: number): Float32Array {
  const rows = dequantizeRows({
    bits: 4,
    blockSize: BLOCK_SIZE,
    rows: N,
    cols: K,
    kBlocks: q.kBlocks,
    data: q.packed,
    scales: q.scales,
    zeroPoints: q.zeroPoints,
  });
  const out = new Float32Array(K * N);
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) out[k * N + n] = rows[n * K + k];
  return out;
}

export interface Q4PassResult {
  quantized: number;
  kept: number;
  bytesIn: number;
  bytesOut: number;
}

export interface QuantizeGraphOptions {
  /**
   * `nbits` (default): MatMulNBits, blockwise `bits`. `dynamic-int8`: DynamicQuantizeMatMul, int8
   * weights with one scale per output column and activations quantized per call; ONNX Runtime's
   * u8s8 GEMM (VNNI) behind it is about twice as fast as MatMulNBits at hundreds of rows (a vision
   * tower's 576 patches), at one byte per weight.
   */
  kind?: 'nbits' | 'dynamic-int8';
  bits?: QuantBits;
  /**
   * MatMulNBits' `accuracy_level`: 4 lets the CPU quantize activations to int8 per block and use its
   * integer dot-product kernels (AVX-512 VNNI, AVX-VNNI, ARM dot product); 0 computes in float.
   */
  accuracyLevel?: 0 | 4;
  minElements?: number;
}

/** Rewrites `src` into `dst` with every eligible MatMul weight as 4-bit MatMulNBits. */
export function quantizeGraphQ4(src: string, dst: string, minElements = 1024): Q4PassResult {
  return quantizeGraphWeights(src, dst, { bits: 4, minElements });
}

/** Rewrites `src` into `dst` with every eligible MatMul weight as MatMulNBits of `bits`. */
export function quantizeGraphWeights(src: string, dst: string, options: QuantizeGraphOptions = {}): Q4PassResult {
  const bits = options.bits ?? 4;
  const dynamic = options.kind === 'dynamic-int8';
  const minElements = options.minElements ?? 1024;
  const tag = dynamic ? 'int8' : `q${bits}`;
  const loaded = readOnnxModel(src);
  const graph = loaded.graph;
  const inits = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  // Weights that only MatMuls read (as their right operand) can be replaced; anything shared stays.
  const consumers = new Map<string, number>();
  for (const n of graph.node ?? []) for (const i of n.input ?? []) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  const eligible = (n: onnx.INodeProto): onnx.ITensorProto | undefined => {
    if (n.opType !== 'MatMul' || (n.domain ?? '') !== '') return undefined;
    const t = inits.get(n.input?.[1] ?? '');
    if (!t || t.dataType !== DataType.FLOAT || (t.dims ?? []).length !== 2) return undefined;
    const [K, N] = (t.dims ?? []).map(Number);
    if (K * N < minElements || consumers.get(t.name ?? '') !== 1) return undefined;
    return t;
  };
  const targets = new Set<string>();
  for (const n of graph.node ?? []) {
    const t = eligible(n);
    if (t) targets.add(t.name ?? '');
  }
  const writer = new GraphWriter(dst);
  let bytesIn = 0;
  let bytesOut = 0;
  let kept = 0;
  try {
    for (const t of graph.initializer ?? []) {
      const name = t.name ?? '';
      const bytes = initializerBytes(loaded, t);
      bytesIn += bytes.byteLength;
      const dims = (t.dims ?? []).map(Number);
      if (!targets.has(name)) {
        writer.add(name, t.dataType ?? DataType.FLOAT, dims, bytes);
        bytesOut += bytes.byteLength;
        kept++;
        continue;
      }
      const [K, N] = dims;
      if (dynamic) {
        const q = quantizeColumnsInt8(asFloat32(bytes), K, N);
        writer.add(`${name}.${tag}`, DataType.INT8, [K, N], new Uint8Array(q.values.buffer));
        writer.add(`${name}.${tag}_scales`, DataType.FLOAT, [N], new Uint8Array(q.scales.buffer));
        bytesOut += q.values.byteLength + q.scales.byteLength;
        continue;
      }
      const q = quantizeRows(N, K, bits, columnsOf(asFloat32(bytes), K, N));
      writer.add(`${name}.${tag}`, DataType.UINT8, [N, q.kBlocks, (BLOCK_SIZE * bits) / 8], q.data);
      writer.add(`${name}.${tag}_scales`, DataType.FLOAT, [N, q.kBlocks], new Uint8Array(q.scales.buffer));
      const zeroPoints = q.zeroPoints ?? new Uint8Array(0);
      writer.add(`${name}.${tag}_zero_points`, DataType.UINT8, [zeroPoints.length], zeroPoints);
      bytesOut += q.data.byteLength + q.scales.byteLength + zeroPoints.byteLength;
    }
    const nodes = (graph.node ?? []).map((n): onnx.INodeProto => {
      const t = eligible(n);
      if (!t) return n;
      const [K, N] = (t.dims ?? []).map(Number);
      const w = t.name ?? '';
      if (dynamic) {
        return {
          opType: 'DynamicQuantizeMatMul',
          domain: 'com.microsoft',
          name: `${n.name ?? 'matmul'}_${tag}`,
          input: [n.input![0], `${w}.${tag}`, `${w}.${tag}_scales`],
          output: n.output,
        };
      }
      return {
        opType: 'MatMulNBits',
        domain: 'com.microsoft',
        name: `${n.name ?? 'matmul'}_${tag}`,
        input: [n.input![0], `${w}.${tag}`, `${w}.${tag}_scales`, `${w}.${tag}_zero_points`],
        output: n.output,
        attribute: [
          { name: 'K', type: 2, i: K },
          { name: 'N', type: 2, i: N },
          { name: 'bits', type: 2, i: bits },
          { name: 'block_size', type: 2, i: BLOCK_SIZE },
          { name: 'accuracy_level', type: 2, i: options.accuracyLevel ?? 0 },
        ],
      };
    });
    writer.save(loaded, { ...graph, node: nodes, valueInfo: [] }, [{ domain: 'com.microsoft', version: 1 }]);
  } catch (e) {
    writer.abort();
    throw e;
  }
  return { quantized: targets.size, kept, bytesIn, bytesOut };
}

/** W [K, N] as int8 with one symmetric scale per column (DynamicQuantizeMatMul's B and b_scale). */
export function quantizeColumnsInt8(w: Float32Array, K: number, N: number): { values: Int8Array; scales: Float32Array } {
  const scales = new Float32Array(N);
  for (let k = 0; k < K; k++) {
    for (let n = 0; n < N; n++) {
      const a = Math.abs(w[k * N + n]);
      if (a > scales[n]) scales[n] = a;
    }
  }
  for (let n = 0; n < N; n++) scales[n] /= 127;
  const values = new Int8Array(K * N);
  for (let k = 0; k < K; k++) {
    for (let n = 0; n < N; n++) {
      const s = scales[n];
      values[k * N + n] = s === 0 ? 0 : Math.max(-127, Math.min(127, Math.round(w[k * N + n] / s)));
    }
  }
  return { values, scales };
}
