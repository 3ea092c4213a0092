/**
 * Whether this WebGPU device computes GroupQueryAttention right for a long single run. On Dawn over
 * SwiftShader, onnxruntime-node 1.30's GroupQueryAttention is wrong from 32 new positions per run on
 * (max |diff| ≈ 1 on the tiny model's logits), and right for any length fed in runs of at most 31
 * positions (test/host/deepseek-vl-webgpu.test.ts). Rather than assume which adapters share the
 * fault, the engine asks the device once per process: one small GroupQueryAttention graph at 64
 * positions, compared with the CPU's answer; when they differ, prompts go in runs of 31.
 */
import * as ort from 'onnxruntime-node';
import { onnx } from 'onnx-proto';

/** Longest run known to be right on every WebGPU device seen. */
export const SAFE_WEBGPU_RUN = 31;
const HEADS = 2;
const HEAD_DIM = 16;
const POSITIONS = 64;

let verdict: Promise<boolean> | undefined;

/** One GroupQueryAttention node over an empty past, built in memory (no model file ships for it). */
function checkGraph(): Uint8Array {
  const F = onnx.TensorProto.DataType.FLOAT;
  const I = onnx.TensorProto.DataType.INT32;
  const info = (name: string, elemType: number, dims: number[]): onnx.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
  });
  const width = HEADS * HEAD_DIM;
  const attr = (name: string, i: number): onnx.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.INT, i });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'visual-coder-attention-check',
    opsetImport: [
      { domain: '', version: 17 },
      { domain: 'com.microsoft', version: 1 },
    ],
    graph: {
      name: 'gqa_check',
      node: [
        {
          opType: 'GroupQueryAttention',
          domain: 'com.microsoft',
          name: 'gqa',
          input: ['q', 'k', 'v', 'pk', 'pv', 'seqlens_k', 'total'],
          output: ['out', 'present_k', 'present_v'],
          attribute: [attr('num_heads', HEADS), attr('kv_num_heads', HEADS)],
        },
      ],
      input: [
        info('q', F, [1, POSITIONS, width]),
        info('k', F, [1, POSITIONS, width]),
        info('v', F, [1, POSITIONS, width]),
        info('pk', F, [1, HEADS, 0, HEAD_DIM]),
        info('pv', F, [1, HEADS, 0, HEAD_DIM]),
        info('seqlens_k', I, [1]),
        info('total', I, []),
      ],
      output: [info('out', F, [1, POSITIONS, width])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

async function attention(device: 'cpu' | 'webgpu', model: Uint8Array): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model, { executionProviders: [device], logSeverityLevel: 3 });
  try {
    const n = POSITIONS * HEADS * HEAD_DIM;
    const values = (phase: number) =>
      new ort.Tensor(
        'float32',
        Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + phase)),
        [1, POSITIONS, HEADS * HEAD_DIM],
      );
    const empty = () => new ort.Tensor('float32', new Float32Array(0), [1, HEADS, 0, HEAD_DIM]);
    const out = await session.run({
      q: values(0),
      k: values(1),
      v: values(2),
      pk: empty(),
      pv: empty(),
      seqlens_k: new ort.Tensor('int32', Int32Array.of(POSITIONS - 1), [1]),
      total: new ort.Tensor('int32', Int32Array.of(POSITIONS), []),
    });
    return out.out.data as Float32Array;
  } finally {
    await session.release();
  }
}

/** True when WebGPU's GroupQueryAttention matches the CPU's for a 64-position run (cached per process). */
export function webgpuLongRunsAreRight(): Promise<boolean> {
  verdict ??= (async () => {
    const model = checkGraph();
    const [gpu, cpu] = [await attention('webgpu', model), await attention('cpu', model)];
    let worst = 0;
    for (let i = 0; i < cpu.length; i++) worst = Math.max(worst, Math.abs(gpu[i] - cpu[i]));
    return worst < 1e-3;
  })().catch(() => false);
  return verdict;
}
