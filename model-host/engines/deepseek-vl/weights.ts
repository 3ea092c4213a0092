/**
 * Weight access for the graph builders: reads a checkpoint tensor, checks its shape, and lays it out
 * the way the ONNX ops want it (nn.Linear stores [out, in]; MatMul wants [in, out]).
 */
import type { Checkpoint } from '../../formats/safetensors';
import type { GraphBuilder } from '../../onnx/graph-builder';
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

/** Adds checkpoint tensors to a graph as initializers named after the checkpoint tensor. */
export class Weights {
  constructor(readonly ckpt: Checkpoint, readonly g: GraphBuilder) {}

  /** The tensor as stored. */
  raw(name: string): string {
    const info = this.ckpt.get(name);
    return this.g.initializer(name, this.ckpt.readF32(name), info.shape);
  }

  /** An nn.Linear weight [out, in] as a MatMul right operand [in, out]. */
  linear(name: string): string {
    const [out, inp] = this.ckpt.get(name).shape;
    return this.g.initializer(`${name}.T`, transpose2d(this.ckpt.readF32(name), out, inp), [inp, out]);
  }

  /** `x @ W^T (+ b)` for an nn.Linear whose parameters are `prefix.weight` / `prefix.bias`. */
  applyLinear(x: string, prefix: string, bias: boolean): string {
    const y = this.g.matmul(x, this.linear(`${prefix}.weight`));
    return bias ? this.g.add(y, this.raw(`${prefix}.bias`)) : y;
  }
}
