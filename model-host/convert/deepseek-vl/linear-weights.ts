/**
 * nn.Linear weights as the fast graphs want them: several checkpoint tensors stacked along their
 * output rows (q/k/v → one projection, gate/up → one), then either quantized blockwise for
 * `MatMulNBits` (4 bits, scales in the activations' type) or laid out as a plain MatMul operand
 * [in, out] in fp32 or fp16. Rows are read from the checkpoint's own bytes one at a time, so a
 * 102400-row lm_head never exists in float32 as a whole.
 */
import { type Checkpoint, type SafetensorsDtype } from '../../formats/safetensors';
import { quantizeRows, type QuantBits } from '../dtypes/block-quant';
import { float32ArrayToFloat16 } from '../dtypes/half';
import { DataType, type GraphBuilder } from '../onnx/graph-builder';
import { ConvertError } from './hf-config';

/** How the stacked weight is stored and which activations it meets. */
export interface LinearFormat {
  /** 4: MatMulNBits; 0: plain MatMul on a float initializer. */
  bits: QuantBits | 0;
  /** fp16 activations (q4f16, fp16) or fp32 (q4, fp32). */
  half: boolean;
  /** MatMulNBits accuracy_level (4: int8 activations on CPU). */
  accuracyLevel: 0 | 4;
  /** Values per quantization block along K. */
  blockSize: number;
  /** No zero points (see block-quant.ts). */
  symmetric: boolean;
}

type RowReader = (r: number, out: Float32Array) => void;

/** Row r of a 2-D checkpoint tensor, widened to float32 into `out`, straight from its stored bytes. */
export function checkpointRows(ckpt: Checkpoint, name: string): { rows: number; cols: number; read: RowReader } {
  const info = ckpt.get(name);
  if (info.shape.length !== 2) throw new ConvertError(`${name} has shape [${info.shape.join(', ')}]; a linear weight is 2-D`);
  const [rows, cols] = info.shape;
  const bytes = ckpt.readBytes(name);
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : new Uint8Array(bytes);
  return { rows, cols, read: rowReader(aligned, info.dtype, cols, name) };
}

function rowReader(bytes: Uint8Array, dtype: SafetensorsDtype, cols: number, name: string): RowReader {
  switch (dtype) {
    case 'BF16': {
      const src = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
      return (r, out) => {
        const bits = new Uint32Array(out.buffer, out.byteOffset, out.length);
        const base = r * cols;
        for (let c = 0; c < cols; c++) bits[c] = src[base + c] << 16; // bf16 is the top half of a float32
      };
    }
    case 'F32': {
      const src = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      return (r, out) => out.set(src.subarray(r * cols, (r + 1) * cols));
    }
    case 'F16': {
      const src = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
      return (r, out) => {
        for (let c = 0; c < cols; c++) {
          const h = src[r * cols + c];
          const e = (h >> 10) & 0x1f;
          const m = h & 0x3ff;
          const v = e === 0 ? m * 2 ** -24 : e === 31 ? (m ? NaN : Infinity) : (1 + m / 1024) * 2 ** (e - 15);
          out[c] = h & 0x8000 ? -v : v;
        }
      };
    }
    default:
      throw new ConvertError(`${name} has dtype ${dtype}; only F32, F16 and BF16 weights can be converted`);
  }
}

/** Several [out_i, in] tensors read as one [Σ out_i, in] matrix. */
export function stackedRows(ckpt: Checkpoint, names: string[]): { rows: number; cols: number; read: RowReader } {
  const parts = names.map((n) => checkpointRows(ckpt, n));
  const cols = parts[0].cols;
  for (const [i, p] of parts.entries()) {
    if (p.cols !== cols) throw new ConvertError(`${names[i]} has ${p.cols} inputs, ${names[0]} has ${cols}; they cannot be fused`);
  }
  const starts: number[] = [];
  let rows = 0;
  for (const p of parts) {
    starts.push(rows);
    rows += p.rows;
  }
  return {
    rows,
    cols,
    read: (r, out) => {
      let i = parts.length - 1;
      while (starts[i] > r) i--;
      parts[i].read(r - starts[i], out);
    },
  };
}

/**
 * `x @ stack(names)^T` as one node: MatMulNBits over the quantized stack, or MatMul over the
 * transposed float stack. `as` names the initializers.
 */
export function applyStackedLinear(g: GraphBuilder, ckpt: Checkpoint, x: string, names: string[], as: string, format: LinearFormat): string {
  const m = stackedRows(ckpt, names);
  if (format.bits) {
    const q = quantizeRows(m.rows, m.cols, format.bits, m.read, format);
    const scales = format.half ? float32ArrayToFloat16(q.scales) : q.scales;
    const inputs = [
      x,
      g.initializer(`${as}.q${format.bits}`, q.data, [m.rows, q.kBlocks, (format.blockSize * format.bits) / 8]),
      g.initializer(`${as}.scales`, scales, [m.rows, q.kBlocks], format.half ? DataType.FLOAT16 : DataType.FLOAT),
    ];
    if (q.zeroPoints) inputs.push(g.initializer(`${as}.zero_points`, q.zeroPoints, [q.zeroPoints.length]));
    const attrs = { K: m.cols, N: m.rows, bits: format.bits, block_size: format.blockSize, accuracy_level: format.accuracyLevel };
    return g.op('MatMulNBits', inputs, attrs, { domain: 'com.microsoft' })[0];
  }
  return g.matmul(x, transposedInitializer(g, m, as, format.half));
}

/** The [rows, cols] matrix as a [cols, rows] initializer (MatMul's right operand), fp32 or fp16. */
function transposedInitializer(g: GraphBuilder, m: { rows: number; cols: number; read: RowReader }, as: string, half: boolean): string {
  const { rows, cols } = m;
  const t = new Float32Array(rows * cols);
  const row = new Float32Array(cols);
  for (let r = 0; r < rows; r++) {
    m.read(r, row);
    for (let c = 0; c < cols; c++) t[c * rows + r] = row[c];
  }
  if (half) return g.initializer(`${as}.T`, float32ArrayToFloat16(t), [cols, rows], DataType.FLOAT16);
  return g.initializer(`${as}.T`, t, [cols, rows]);
}

/**
 * Token embeddings `table[ids]`: GatherBlockQuantized over a 4-bit table (the layout of a MatMulNBits
 * weight with the vocabulary as rows), or Gather over a float table. Output in the activations' type.
 */
export function embedTokens(g: GraphBuilder, ckpt: Checkpoint, ids: string, name: string, format: LinearFormat): string {
  const m = checkpointRows(ckpt, name);
  if (format.bits) {
    const q = quantizeRows(m.rows, m.cols, format.bits, m.read, format);
    const scales = format.half ? float32ArrayToFloat16(q.scales) : q.scales;
    const inputs = [
      g.initializer(`${name}.q${format.bits}`, q.data, [m.rows, (m.cols * format.bits) / 8]),
      ids,
      g.initializer(`${name}.scales`, scales, [m.rows, q.kBlocks], format.half ? DataType.FLOAT16 : DataType.FLOAT),
    ];
    if (q.zeroPoints) inputs.push(g.initializer(`${name}.zero_points`, q.zeroPoints, [m.rows, q.zeroPoints.length / m.rows]));
    const attrs = { gather_axis: 0, quantize_axis: 1, block_size: format.blockSize, bits: format.bits };
    return g.op('GatherBlockQuantized', inputs, attrs, { domain: 'com.microsoft' })[0];
  }
  const table = new Float32Array(m.rows * m.cols);
  for (let r = 0; r < m.rows; r++) m.read(r, table.subarray(r * m.cols, (r + 1) * m.cols));
  const init = format.half
    ? g.initializer(`${name}.f16`, float32ArrayToFloat16(table), [m.rows, m.cols], DataType.FLOAT16)
    : g.initializer(name, table, [m.rows, m.cols]);
  return g.op1('Gather', [init, ids], { axis: 0 });
}
