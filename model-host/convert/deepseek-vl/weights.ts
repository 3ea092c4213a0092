/**
 * Weight access for the graph builders: reads a checkpoint tensor, checks its shape, and lays it out
 * the way the ONNX ops want it (nn.Linear stores [out, in]; MatMul wants [in, out]).
 */
import { type Checkpoint, float32Accessor } from '../../formats/safetensors';
import { DataType, type GraphBuilder } from '../onnx/graph-builder';
import { ConvertError } from './hf-config';

export function transpose2d(src: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(src.length);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = src[base + c];
  }
  return out;
}

export function checkShape(ckpt: Checkpoint, name: string, shape: number[]): void {
  const info = ckpt.get(name);
  if (info.shape.length !== shape.length || info.shape.some((d, i) => d !== shape[i])) {
    throw new ConvertError(`tensor ${name} has shape [${info.shape.join(', ')}] but the config implies [${shape.join(', ')}] (file ${info.file})`);
  }
}

/** Tensors above this many float32 bytes are streamed in pieces instead of widened/transposed whole. */
let streamAboveBytes = 64 * 1024 * 1024;

/** Lets tests push small tensors through the streaming path (returns the previous threshold). */
export function setStreamThreshold(bytes: number): number {
  const previous = streamAboveBytes;
  streamAboveBytes = bytes;
  return previous;
}
/** Size of one streamed piece, in elements (16 MB of float32). */
const PIECE_ELEMENTS = 4 * 1024 * 1024;

/** float32 pieces of `src` laid out row-major, optionally transposed from [rows, cols] to [cols, rows]. */
function* float32Pieces(at: (i: number) => number, rows: number, cols: number, transpose: boolean): Generator<Uint8Array> {
  const total = rows * cols;
  for (let start = 0; start < total; start += PIECE_ELEMENTS) {
    const piece = new Float32Array(Math.min(PIECE_ELEMENTS, total - start));
    if (!transpose) {
      for (let i = 0; i < piece.length; i++) piece[i] = at(start + i);
    } else {
      // Output element k is (c, r) of the transposed [cols, rows] matrix = source (r, c).
      for (let i = 0; i < piece.length; i++) {
        const k = start + i;
        const c = Math.floor(k / rows);
        const r = k - c * rows;
        piece[i] = at(r * cols + c);
      }
    }
    yield new Uint8Array(piece.buffer);
  }
}

/** Adds checkpoint tensors to a graph as initializers named after the checkpoint tensor. */
export class Weights {
  constructor(
    readonly ckpt: Checkpoint,
    readonly g: GraphBuilder,
  ) {}

  /** The tensor as stored (float32). */
  raw(name: string): string {
    const info = this.ckpt.get(name);
    const count = info.shape.reduce((a, b) => a * b, 1);
    if (count * 4 > streamAboveBytes) {
      const at = float32Accessor(this.ckpt.readBytes(name), info.dtype, name);
      return this.g.streamedInitializer(name, info.shape, DataType.FLOAT, float32Pieces(at, 1, count, false));
    }
    return this.g.initializer(name, this.ckpt.readF32(name), info.shape);
  }

  /** An nn.Linear weight [out, in] as a MatMul right operand [in, out]. */
  linear(name: string): string {
    return this.transposed(name, `${name}.T`);
  }

  /**
   * The 2-D tensor `source` [rows, cols] transposed to [cols, rows] as initializer `as` (e.g. a tied
   * lm_head from the embedding table). Large ones are streamed: only the stored bytes are held.
   */
  transposed(source: string, as: string): string {
    const info = this.ckpt.get(source);
    const [rows, cols] = info.shape;
    if (rows * cols * 4 > streamAboveBytes) {
      const at = float32Accessor(this.ckpt.readBytes(source), info.dtype, source);
      return this.g.streamedInitializer(as, [cols, rows], DataType.FLOAT, float32Pieces(at, rows, cols, true));
    }
    return this.g.initializer(as, transpose2d(this.ckpt.readF32(source), rows, cols), [cols, rows]);
  }

  /** `x @ W^T (+ b)` for an nn.Linear whose parameters are `prefix.weight` / `prefix.bias`. */
  applyLinear(x: string, prefix: string, bias: boolean): string {
    const y = this.g.matmul(x, this.linear(`${prefix}.weight`));
    return bias ? this.g.add(y, this.raw(`${prefix}.bias`)) : y;
  }
}
