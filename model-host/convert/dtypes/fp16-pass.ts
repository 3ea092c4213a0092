/**
 * fp32 → fp16 rewrite of a converted graph: weights stored and computed in half precision (half the
 * bytes to read per token, and the GPU's fp16 paths), while every graph input and output stays
 * float32 behind a Cast, so the runtime's JavaScript side (embedding merge, logits, KV cache feed)
 * does not change with the dtype.
 *
 * Values beyond ±65504 (e.g. "minus infinity" mask constants written as -3.4e38) are clamped to the
 * fp16 range instead of becoming ±Inf, because 0 · Inf = NaN would poison masked attention.
 * RMSNorm's chain (the square, the mean, + eps, sqrt, the division) runs in fp32 between Casts; see
 * `FP32_ISLANDS` and `FP32_FOLLOWERS`.
 */
import type { onnx } from 'onnx-proto';
import { DataType } from '../onnx/model-writer';
import { asFloat32, GraphWriter, inferElemTypes, initializerBytes, readOnnxModel } from './onnx-io';
import { float32ArrayToFloat16 } from './half';

export { float32ArrayToFloat16, float32ToFloat16Bits } from './half';

/** Ops kept in fp32: sums of squares (RMSNorm's ReduceMean/Pow) overflow fp16 at real hidden sizes. */
export const FP32_ISLANDS = new Set(['ReduceMean', 'Pow', 'ReduceSum', 'Sqrt', 'Reciprocal']);

/**
 * Also kept in fp32: `Mul(x, x)`, the square in RMSNorm. LLaMA-family models carry "massive
 * activations" of several hundred to thousands in a few hidden dimensions; their square exceeds 65504.
 */
function isFp32Island(n: onnx.INodeProto): boolean {
  if (FP32_ISLANDS.has(n.opType ?? '')) return true;
  return n.opType === 'Mul' && (n.input ?? []).length === 2 && n.input![0] === n.input![1];
}

/**
 * Ops that stay in fp32 when they read an fp32 island's result, so a whole RMSNorm chain
 * (square → mean → + eps → sqrt → divide) runs without an fp16 round trip in between (the mean of
 * squares itself may exceed 65504). Mul is left out on purpose: the normalised values are O(1).
 */
const FP32_FOLLOWERS = new Set(['Add', 'Div', 'Sqrt', 'Reciprocal', 'ReduceMean', 'ReduceSum', 'Pow']);

function floatTensorToF16(t: onnx.ITensorProto): onnx.ITensorProto {
  const f = Float32Array.from(t.floatData?.length ? t.floatData : asFloat32(t.rawData ?? new Uint8Array(0)));
  return { ...t, dataType: DataType.FLOAT16, floatData: [], rawData: new Uint8Array(float32ArrayToFloat16(f).buffer) };
}

export interface Fp16PassResult {
  initializers: number;
  bytesIn: number;
  bytesOut: number;
}

/** Reads `src` (.onnx + .onnx_data) and writes the fp16 variant to `dst` (+ `dst_data`). */
export function convertGraphToFp16(src: string, dst: string): Fp16PassResult {
  const loaded = readOnnxModel(src);
  const graph = loaded.graph;
  const types = inferElemTypes(graph);
  const writer = new GraphWriter(dst);
  let bytesIn = 0;
  let bytesOut = 0;
  try {
    for (const t of graph.initializer ?? []) {
      const bytes = initializerBytes(loaded, t);
      bytesIn += bytes.byteLength;
      const dims = (t.dims ?? []).map(Number);
      if (t.dataType === DataType.FLOAT) {
        const half = new Uint8Array(float32ArrayToFloat16(asFloat32(bytes)).buffer);
        writer.add(t.name ?? '', DataType.FLOAT16, dims, half);
        bytesOut += half.byteLength;
      } else {
        writer.add(t.name ?? '', t.dataType ?? DataType.FLOAT, dims, bytes);
        bytesOut += bytes.byteLength;
      }
    }

    const nodes: onnx.INodeProto[] = [];
    const rename = new Map<string, string>();
    const use = (name: string) => rename.get(name) ?? name;
    /** Tensors (by original name) that an fp32 island produced, and their fp32 name. */
    const inF32 = new Map<string, string>();
    let counter = 0;
    const cast = (input: string, to: number, output: string) =>
      nodes.push({ opType: 'Cast', input: [input], output: [output], name: `fp16_cast_${counter++}`, attribute: [{ name: 'to', type: 2, i: to }] });

    for (const v of graph.input ?? []) {
      if (v.type?.tensorType?.elemType === DataType.FLOAT) {
        const name = v.name ?? '';
        rename.set(name, `${name}__fp16`);
        cast(name, DataType.FLOAT16, `${name}__fp16`);
      }
    }
    const outputs = new Set((graph.output ?? []).filter((o) => o.type?.tensorType?.elemType === DataType.FLOAT).map((o) => o.name ?? ''));

    for (const n of graph.node ?? []) {
      const node: onnx.INodeProto = { ...n, input: (n.input ?? []).map((i) => (i ? use(i) : i)), attribute: [...(n.attribute ?? [])] };
      if (n.opType === 'Cast') {
        node.attribute = node.attribute!.map((a) => (a.name === 'to' && Number(a.i) === DataType.FLOAT ? { ...a, i: DataType.FLOAT16 } : a));
      }
      if (n.opType === 'Constant' || n.opType === 'ConstantOfShape') {
        node.attribute = node.attribute!.map((a) => (a.name === 'value' && a.t?.dataType === DataType.FLOAT ? { ...a, t: floatTensorToF16(a.t) } : a));
      }
      const original = n.input ?? [];
      const island = isFp32Island(n) || (FP32_FOLLOWERS.has(n.opType ?? '') && original.some((i) => inF32.has(i)));
      if (island) {
        node.input = node.input!.map((i, k) => {
          const f32 = inF32.get(original[k]);
          if (f32) return f32;
          if (!i || types.get(original[k]) !== DataType.FLOAT) return i;
          const up = `${i}__f32_${counter}`;
          cast(i, DataType.FLOAT, up);
          return up;
        });
      }
      const finalOutputs: [string, string][] = [];
      node.output = (n.output ?? []).map((o) => {
        const isFloat = types.get(o) === DataType.FLOAT;
        if (island && isFloat) {
          const tmp = `${o}__f32`;
          inF32.set(o, tmp);
          finalOutputs.push([tmp, outputs.has(o) ? `${o}__fp16` : o]);
          if (outputs.has(o)) rename.set(o, `${o}__fp16`);
          return tmp;
        }
        if (outputs.has(o) && isFloat) {
          rename.set(o, `${o}__fp16`);
          return `${o}__fp16`;
        }
        return o;
      });
      nodes.push(node);
      for (const [from, to] of finalOutputs) cast(from, DataType.FLOAT16, to);
    }
    for (const o of outputs) {
      if (rename.has(o)) cast(rename.get(o)!, DataType.FLOAT, o);
    }
    writer.save(loaded, { ...graph, node: nodes, valueInfo: [] });
  } catch (e) {
    writer.abort();
    throw e;
  }
  return { initializers: graph.initializer?.length ?? 0, bytesIn, bytesOut };
}
