/**
 * Rewriting a converted ONNX graph into another precision without holding its weights in memory:
 * the `.onnx` proto (names, shapes, external-data offsets) is small even for a 7B model, so it is
 * decoded whole, while each initializer's bytes are read from the `.onnx_data` file one at a time,
 * transformed, and appended to the new data file. Used by the fp16 and q4 passes.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { onnx } from 'onnx-proto';
import { DataType, ExternalDataFile, INLINE_LIMIT_BYTES, writeModelFile } from '../onnx/model-writer';

export interface LoadedGraph {
  model: onnx.ModelProto;
  graph: onnx.IGraphProto;
  dir: string;
}

export function readOnnxModel(path: string): LoadedGraph {
  const model = onnx.ModelProto.decode(readFileSync(path));
  if (!model.graph) throw new Error(`${path} has no graph`);
  return { model, graph: model.graph, dir: dirname(path) };
}

/** The raw little-endian bytes of an initializer, inline or external. */
export function initializerBytes(src: LoadedGraph, t: onnx.ITensorProto): Uint8Array {
  if (t.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL) {
    if (t.rawData && t.rawData.length) return t.rawData;
    if (t.floatData && t.floatData.length) return new Uint8Array(Float32Array.from(t.floatData).buffer);
    if (t.int64Data && t.int64Data.length) return new Uint8Array(BigInt64Array.from(t.int64Data.map((v) => BigInt(v.toString()))).buffer);
    if (t.int32Data && t.int32Data.length) return new Uint8Array(Int32Array.from(t.int32Data).buffer);
    return new Uint8Array(0);
  }
  const entry = (k: string) => t.externalData?.find((e) => e.key === k)?.value;
  const location = entry('location');
  if (!location) throw new Error(`initializer ${t.name} is external but names no file`);
  const offset = Number(entry('offset') ?? 0);
  const length = Number(entry('length'));
  const out = new Uint8Array(length);
  const fd = openSync(join(src.dir, location), 'r');
  try {
    let done = 0;
    while (done < length) {
      const n = readSync(fd, out, done, length - done, offset + done);
      if (n === 0) throw new Error(`${location} ends before initializer ${t.name} (truncated conversion?)`);
      done += n;
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

export function asFloat32(bytes: Uint8Array): Float32Array {
  // Copy into a fresh aligned buffer: decoded rawData is a Buffer view into the whole file (and
  // Buffer#slice does not copy), external reads are already fresh.
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

/** Writes a new model next to its data file; initializers are placed inline or external by size. */
export class GraphWriter {
  private readonly data: ExternalDataFile;
  readonly initializers: onnx.ITensorProto[] = [];

  constructor(readonly path: string) {
    this.data = new ExternalDataFile(`${path}_data`);
  }

  add(name: string, dataType: number, dims: number[], bytes: Uint8Array): void {
    const t: onnx.ITensorProto = { name, dataType, dims };
    if (bytes.byteLength <= INLINE_LIMIT_BYTES) t.rawData = bytes;
    else {
      t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
      t.externalData = this.data.append(bytes);
    }
    this.initializers.push(t);
  }

  /** Saves `graph` with this writer's initializers; `extraOpsets` adds e.g. com.microsoft. */
  save(src: LoadedGraph, graph: onnx.IGraphProto, extraOpsets: { domain: string; version: number }[] = []): void {
    this.data.close();
    const opsets = (src.model.opsetImport ?? []).map((o) => ({ domain: o.domain ?? '', version: Number(o.version ?? 1) }));
    for (const extra of extraOpsets) if (!opsets.some((o) => o.domain === extra.domain)) opsets.push(extra);
    writeModelFile(this.path, { ...graph, initializer: this.initializers }, opsets);
  }

  abort(): void {
    try {
      this.data.close();
    } catch {
      // already closed
    }
  }
}

/** Element type of every tensor in the graph, propagated in node order (our graphs are topologically sorted). */
export function inferElemTypes(graph: onnx.IGraphProto): Map<string, number> {
  const types = new Map<string, number>();
  for (const v of graph.input ?? []) types.set(v.name ?? '', v.type?.tensorType?.elemType ?? DataType.FLOAT);
  for (const t of graph.initializer ?? []) types.set(t.name ?? '', t.dataType ?? DataType.FLOAT);
  const attr = (n: onnx.INodeProto, name: string) => n.attribute?.find((a) => a.name === name);
  for (const n of graph.node ?? []) {
    const first = types.get(n.input?.[0] ?? '') ?? DataType.FLOAT;
    let out: number;
    switch (n.opType) {
      case 'Shape':
      case 'Size':
      case 'NonZero':
      case 'ArgMax':
      case 'ArgMin':
        out = DataType.INT64;
        break;
      case 'Cast':
        out = Number(attr(n, 'to')?.i ?? DataType.FLOAT);
        break;
      case 'Constant':
      case 'ConstantOfShape':
        out = attr(n, 'value')?.t?.dataType ?? DataType.FLOAT;
        break;
      case 'Equal':
      case 'Less':
      case 'LessOrEqual':
      case 'Greater':
      case 'GreaterOrEqual':
      case 'Not':
      case 'And':
      case 'Or':
      case 'IsNaN':
      case 'IsInf':
        out = DataType.BOOL;
        break;
      case 'Where':
        out = types.get(n.input?.[1] ?? '') ?? first;
        break;
      default:
        out = first;
    }
    for (const o of n.output ?? []) types.set(o, out);
  }
  return types;
}
