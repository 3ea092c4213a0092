/**
 * 4-bit weight quantization of a converted graph: every `MatMul(x, W)` whose W is a float32 initializer
 * [K, N] becomes ONNX Runtime's contrib op `com.microsoft.MatMulNBits` (bits 4, block_size 32),
 * which CPU, CUDA and WebGPU execute with fused dequantization. Activations stay float32.
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

export const Q4_BLOCK_SIZE = 32;

export interface Q4Weight {
  packed: Uint8Array;
  scales: Float32Array;
  zeroPoints: Uint8Array;
  kBlocks: number;
}

/** Quantizes W [K, N] (row-major, as MatMul's right operand) into MatMulNBits' layout. */
export function quantizeQ4(w: Float32Array, K: number, N: number, blockSize = Q4_BLOCK_SIZE): Q4Weight {
  const kBlocks = Math.ceil(K / blockSize);
  const blob = blockSize / 2;
  const packed = new Uint8Array(N * kBlocks * blob);
  const scales = new Float32Array(N * kBlocks);
  const zpBytes = Math.ceil(kBlocks / 2);
  const zeroPoints = new Uint8Array(N * zpBytes);
  for (let n = 0; n < N; n++) {
    for (let b = 0; b < kBlocks; b++) {
      const k0 = b * blockSize;
      const k1 = Math.min(k0 + blockSize, K);
      let lo = 0;
      let hi = 0;
      for (let k = k0; k < k1; k++) {
        const v = w[k * N + n];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      const scale = (hi - lo) / 15;
      const zp = scale === 0 ? 8 : Math.min(15, Math.max(0, Math.round(-lo / scale)));
      scales[n * kBlocks + b] = scale;
      zeroPoints[n * zpBytes + (b >> 1)] |= zp << ((b & 1) * 4);
      for (let k = k0; k < k0 + blockSize; k++) {
        const v = k < k1 ? w[k * N + n] : 0;
        const code = scale === 0 ? zp : Math.min(15, Math.max(0, Math.round(v / scale + zp)));
        const i = k - k0;
        packed[(n * kBlocks + b) * blob + (i >> 1)] |= code << ((i & 1) * 4);
      }
    }
  }
  return { packed, scales, zeroPoints, kBlocks };
}

/** The float value each code stands for, [K, N] like the input (for error reports and tests). */
export function dequantizeQ4(q: Q4Weight, K: number, N: number, blockSize = Q4_BLOCK_SIZE): Float32Array {
  const out = new Float32Array(K * N);
  const blob = blockSize / 2;
  const zpBytes = Math.ceil(q.kBlocks / 2);
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) {
      const b = Math.floor(k / blockSize);
      const i = k % blockSize;
      const code = (q.packed[(n * q.kBlocks + b) * blob + (i >> 1)] >> ((i & 1) * 4)) & 15;
      const zp = (q.zeroPoints[n * zpBytes + (b >> 1)] >> ((b & 1) * 4)) & 15;
      out[k * N + n] = (code - zp) * q.scales[n * q.kBlocks + b];
    }
  }
  return out;
}

export interface Q4PassResult {
  quantized: number;
  kept: number;
  bytesIn: number;
  bytesOut: number;
}

/** Rewrites `src` into `dst` with every eligible MatMul weight as MatMulNBits. */
export function quantizeGraphQ4(src: string, dst: string, minElements = 1024): Q4PassResult {
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
      const q = quantizeQ4(asFloat32(bytes), K, N);
      writer.add(`${name}.q4`, DataType.UINT8, [N, q.kBlocks, Q4_BLOCK_SIZE / 2], q.packed);
      writer.add(`${name}.q4_scales`, DataType.FLOAT, [N, q.kBlocks], new Uint8Array(q.scales.buffer));
      writer.add(`${name}.q4_zero_points`, DataType.UINT8, [q.zeroPoints.length], q.zeroPoints);
      bytesOut += q.packed.byteLength + q.scales.byteLength + q.zeroPoints.byteLength;
    }
    const nodes = (graph.node ?? []).map((n): onnx.INodeProto => {
      const t = eligible(n);
      if (!t) return n;
      const [K, N] = (t.dims ?? []).map(Number);
      const w = t.name ?? '';
      return {
        opType: 'MatMulNBits',
        domain: 'com.microsoft',
        name: `${n.name ?? 'matmul'}_q4`,
        input: [n.input![0], `${w}.q4`, `${w}.q4_scales`, `${w}.q4_zero_points`],
        output: n.output,
        attribute: [
          { name: 'K', type: 2, i: K },
          { name: 'N', type: 2, i: N },
          { name: 'bits', type: 2, i: 4 },
          { name: 'block_size', type: 2, i: Q4_BLOCK_SIZE },
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
