/**
 * A small builder for ONNX graphs, used by the DeepSeek-VL converter (and H2b's SAM / fp16 / q4 code).
 *
 * Usage:
 * ```ts
 * const g = new GraphBuilder('decoder', '/out/onnx/decoder.onnx_data');   // external data file
 * const x = g.input('x', DataType.FLOAT, ['batch_size', 'seq', 64]);
 * const w = g.initializer('layer.0.w', weightsF32, [64, 64]);            // bytes go straight to disk
 * const y = g.op1('MatMul', [x, w]);                                       // fresh unique output name
 * const [a, b] = g.op('Split', [y, g.constI64([32, 32])], { axis: -1 }, { outputs: 2 });
 * g.output('y', DataType.FLOAT, ['batch_size', 'seq', 64], a);             // Identity if names differ
 * g.save('/out/onnx/decoder.onnx');                                       // opset 17 + com.microsoft 1
 * ```
 * Attributes are inferred: integer → INT, other number → FLOAT, number[] → INTS (FLOATS if any is
 * fractional), string → STRING; wrap in `floatAttr(2)` / `floatsAttr([...])` to force floats.
 * Initializers up to `INLINE_LIMIT_BYTES` stay inline, larger ones are written to the data file
 * immediately, so the caller may drop its array right after the call.
 */
import { onnx } from 'onnx-proto';
import { DataType, type DataTypeCode, ExternalDataFile, INLINE_LIMIT_BYTES, type OpsetImport, writeModelFile } from './model-writer';

export type Dim = number | string;
export type TensorData = Float32Array | BigInt64Array | Int32Array | Uint8Array | Int8Array | Uint16Array;

class ForcedFloat {
  constructor(readonly values: number | number[]) {}
}
export const floatAttr = (v: number) => new ForcedFloat(v);
export const floatsAttr = (v: number[]) => new ForcedFloat(v);
export type AttrValue = number | number[] | string | ForcedFloat | onnx.ITensorProto;

export const DEFAULT_OPSETS: OpsetImport[] = [
  { domain: '', version: 17 },
  { domain: 'com.microsoft', version: 1 },
];

function typeProto(elemType: DataTypeCode, dims: Dim[]): onnx.ITypeProto {
  return {
    tensorType: {
      elemType,
      shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
    },
  };
}

function dataTypeOf(data: TensorData): DataTypeCode {
  if (data instanceof Float32Array) return DataType.FLOAT;
  if (data instanceof BigInt64Array) return DataType.INT64;
  if (data instanceof Int32Array) return DataType.INT32;
  if (data instanceof Int8Array) return DataType.INT8;
  if (data instanceof Uint16Array) return DataType.FLOAT16; // fp16 bit patterns
  return DataType.UINT8;
}

function toAttribute(name: string, value: AttrValue): onnx.IAttributeProto {
  const A = onnx.AttributeProto.AttributeType;
  if (value instanceof ForcedFloat) {
    return Array.isArray(value.values) ? { name, type: A.FLOATS, floats: value.values } : { name, type: A.FLOAT, f: value.values };
  }
  if (typeof value === 'string') return { name, type: A.STRING, s: Buffer.from(value, 'utf8') };
  if (typeof value === 'number') {
    return Number.isInteger(value) ? { name, type: A.INT, i: value } : { name, type: A.FLOAT, f: value };
  }
  if (Array.isArray(value)) {
    return value.every(Number.isInteger) ? { name, type: A.INTS, ints: value } : { name, type: A.FLOATS, floats: value };
  }
  return { name, type: A.TENSOR, t: value };
}

export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly names = new Set<string>();
  private counter = 0;
  private readonly data?: ExternalDataFile;
  private closed = false;

  /** `dataPath`: where large initializers go (omit to keep everything inline, for small test graphs). */
  constructor(
    readonly name: string,
    dataPath?: string,
  ) {
    if (dataPath) this.data = new ExternalDataFile(dataPath);
  }

  /** A fresh (not yet used) tensor name with a readable prefix; claimed when a node or initializer uses it. */
  fresh(prefix: string): string {
    let n: string;
    do n = `${prefix}_${this.counter++}`;
    while (this.names.has(n));
    return n;
  }

  input(name: string, elemType: DataTypeCode, dims: Dim[]): string {
    this.claim(name);
    this.inputs.push({ name, type: typeProto(elemType, dims) });
    return name;
  }

  /** Declares a graph output; `source` (a computed tensor) is renamed via Identity when it differs. */
  output(name: string, elemType: DataTypeCode, dims: Dim[], source = name): void {
    if (source !== name) {
      this.claim(name);
      this.nodes.push({ opType: 'Identity', input: [source], output: [name], name: `out_${name}` });
    }
    this.outputs.push({ name, type: typeProto(elemType, dims) });
  }

  /** Adds a weight. Large ones are written to the external data file now. */
  initializer(name: string, data: TensorData, dims: number[], dataType: DataTypeCode = dataTypeOf(data)): string {
    this.claim(name);
    const count = dims.reduce((a, b) => a * b, 1);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (dataType !== DataType.UINT4 && count * data.BYTES_PER_ELEMENT !== data.byteLength) {
      throw new Error(`initializer ${name}: ${data.length} values do not fill shape [${dims.join(', ')}]`);
    }
    const tensor: onnx.ITensorProto = { name, dims, dataType };
    if (!this.data || bytes.byteLength <= INLINE_LIMIT_BYTES) {
      tensor.rawData = new Uint8Array(bytes); // copy: the caller may reuse its buffer
    } else {
      tensor.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
      tensor.externalData = this.data.append(bytes);
    }
    this.initializers.push(tensor);
    return name;
  }

  /**
   * A weight produced piece by piece (e.g. a transposed embedding table), written straight to the
   * external data file; the pieces must add up to exactly `dims` elements of `dataType`.
   */
  streamedInitializer(name: string, dims: number[], dataType: DataTypeCode, chunks: Iterable<Uint8Array>, bytesPerElement = 4): string {
    if (!this.data) throw new Error(`graph ${this.name} has no external data file for the streamed initializer ${name}`);
    this.claim(name);
    const expected = dims.reduce((a, b) => a * b, 1) * bytesPerElement;
    const externalData = this.data.appendChunks(chunks);
    const length = Number(externalData.find((e) => e.key === 'length')?.value);
    if (length !== expected) throw new Error(`initializer ${name}: streamed ${length} bytes, shape [${dims.join(', ')}] needs ${expected}`);
    this.initializers.push({ name, dims, dataType, dataLocation: onnx.TensorProto.DataLocation.EXTERNAL, externalData });
    return name;
  }

  constF(values: number[] | Float32Array, dims: number[] = [values.length]): string {
    return this.initializer(this.fresh('const_f'), Float32Array.from(values), dims);
  }

  constI64(values: number[], dims: number[] = [values.length]): string {
    return this.initializer(this.fresh('const_i'), BigInt64Array.from(values.map(BigInt)), dims);
  }

  /** A float scalar (rank 0). */
  scalarF(value: number): string {
    return this.constF([value], []);
  }

  /** A generic node; returns its output names (fresh unless given in `opts.names`). */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, opts: { outputs?: number; names?: string[]; domain?: string } = {}): string[] {
    const outputs = opts.names ?? Array.from({ length: opts.outputs ?? 1 }, () => this.fresh(opType.toLowerCase()));
    outputs.forEach((n) => this.claim(n));
    this.nodes.push({
      opType,
      domain: opts.domain ?? '',
      input: inputs,
      output: outputs,
      name: `n${this.nodes.length}_${opType}`,
      attribute: Object.entries(attrs).map(([k, v]) => toAttribute(k, v)),
    });
    return outputs;
  }

  /** A node with exactly one output. */
  op1(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, domain = ''): string {
    return this.op(opType, inputs, attrs, { domain })[0];
  }

  // --- small conveniences for the ops every transformer needs ---
  add(a: string, b: string): string {
    return this.op1('Add', [a, b]);
  }
  sub(a: string, b: string): string {
    return this.op1('Sub', [a, b]);
  }
  mul(a: string, b: string): string {
    return this.op1('Mul', [a, b]);
  }
  div(a: string, b: string): string {
    return this.op1('Div', [a, b]);
  }
  matmul(a: string, b: string): string {
    return this.op1('MatMul', [a, b]);
  }
  reshape(x: string, shape: number[]): string {
    return this.op1('Reshape', [x, this.constI64(shape)]);
  }
  transpose(x: string, perm: number[]): string {
    return this.op1('Transpose', [x], { perm });
  }
  unsqueeze(x: string, axes: number[]): string {
    return this.op1('Unsqueeze', [x, this.constI64(axes)]);
  }
  squeeze(x: string, axes: number[]): string {
    return this.op1('Squeeze', [x, this.constI64(axes)]);
  }
  cast(x: string, to: DataTypeCode): string {
    return this.op1('Cast', [x], { to });
  }
  /** `Shape(x)[start:end]` as a 1-D int64 tensor. */
  shape(x: string, start?: number, end?: number): string {
    const attrs: Record<string, AttrValue> = {};
    if (start !== undefined) attrs.start = start;
    if (end !== undefined) attrs.end = end;
    return this.op1('Shape', [x], attrs);
  }

  get externalDataBytes(): number {
    return this.data?.bytesWritten ?? 0;
  }

  /** Writes `<path>` (the data file was filled along the way) and closes the data file. */
  save(path: string, opsets: OpsetImport[] = DEFAULT_OPSETS): void {
    this.abort();
    const graph: onnx.IGraphProto = {
      name: this.name,
      node: this.nodes,
      input: this.inputs,
      output: this.outputs,
      initializer: this.initializers,
    };
    writeModelFile(path, graph, opsets);
  }

  /** Closes the data file without writing a model (on errors). */
  abort(): void {
    if (this.closed) return;
    this.closed = true;
    this.data?.close();
  }

  private claim(name: string): void {
    if (this.names.has(name)) throw new Error(`tensor name ${name} is used twice in graph ${this.name}`);
    this.names.add(name);
  }
}

export { DataType };
export type { DataTypeCode };
