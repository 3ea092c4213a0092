/**
 * A one-node ONNX model (Y = X + X, float32 [1, 4]) built in memory with onnx-proto, so a device
 * probe can prove an execution provider really runs a graph without shipping a model file.
 */
import { onnx } from 'onnx-proto';

export const TINY_INPUT = new Float32Array([1, 2, 3, 4]);
export const TINY_EXPECTED = [2, 4, 6, 8];

export function buildTinyAddModel(): Uint8Array {
  const tensorType = (name: string): onnx.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimValue: 1 }, { dimValue: 4 }] } } },
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'visual-coder-device-probe',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'probe',
      node: [{ opType: 'Add', input: ['x', 'x'], output: ['y'], name: 'add' }],
      input: [tensorType('x')],
      output: [tensorType('y')],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** The same sum computed in fp16 (Cast, Add, Cast back): runs on WebGPU only with `shader-f16`. */
export function buildTinyHalfModel(): Uint8Array {
  const F = onnx.TensorProto.DataType.FLOAT;
  const H = onnx.TensorProto.DataType.FLOAT16;
  const tensorType = (name: string, elemType: number): onnx.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType, shape: { dim: [{ dimValue: 1 }, { dimValue: 4 }] } } },
  });
  const cast = (input: string, output: string, to: number): onnx.INodeProto => ({
    opType: 'Cast',
    input: [input],
    output: [output],
    name: output,
    attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: to }],
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'visual-coder-device-probe',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'probe_f16',
      node: [cast('x', 'xh', H), { opType: 'Add', input: ['xh', 'xh'], output: ['yh'], name: 'add' }, cast('yh', 'y', F)],
      input: [tensorType('x', F)],
      output: [tensorType('y', F)],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
