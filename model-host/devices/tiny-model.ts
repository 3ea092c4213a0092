/**
 * A one-node ONNX model (Y = X + X, float32 [1, 4]) built in memory with onnx-proto, so a device
 * probe can prove an execution provider really runs a graph without shipping a model file.
 */
import { onnx } from 'onnx-proto';

export const TINY_INPUT = new Float32Array([1, 2, 3, 4]);
export const TINY_EXPECTED = [2, 4, 6, 8];

const FLOAT = onnx.TensorProto.DataType.FLOAT;

/** A float32 [1, 4] → float32 [1, 4] graph of `nodes` from x to y, encoded. */
function encodeProbe(name: string, nodes: onnx.INodeProto[]): Uint8Array {
  const tensorType = (tensor: string): onnx.IValueInfoProto => ({
    name: tensor,
    type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimValue: 1 }, { dimValue: 4 }] } } },
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'visual-coder-device-probe',
    opsetImport: [{ domain: '', version: 17 }],
    graph: { name, node: nodes, input: [tensorType('x')], output: [tensorType('y')] },
  });
  return onnx.ModelProto.encode(model).finish();
}

export function buildTinyAddModel(): Uint8Array {
  return encodeProbe('probe', [{ opType: 'Add', input: ['x', 'x'], output: ['y'], name: 'add' }]);
}

/** The same sum computed in fp16 (Cast, Add, Cast back): runs on WebGPU only with `shader-f16`. */
export function buildTinyHalfModel(): Uint8Array {
  const cast = (input: string, output: string, to: number): onnx.INodeProto => ({
    opType: 'Cast',
    input: [input],
    output: [output],
    name: output,
    attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: to }],
  });
  const half = onnx.TensorProto.DataType.FLOAT16;
  return encodeProbe('probe_f16', [cast('x', 'xh', half), { opType: 'Add', input: ['xh', 'xh'], output: ['yh'], name: 'add' }, cast('yh', 'y', FLOAT)]);
}
