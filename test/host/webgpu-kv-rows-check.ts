/**
 * Child process of deepseek-vl-webgpu.test.ts (WebGPU needs its Vulkan environment before the
 * process starts):
 *
 *   node --import tsx test/host/webgpu-kv-rows-check.ts GPU_MODEL CPU_MODEL LENGTH...
 *
 * Prints one JSON line: the device the engine got, the attention check's verdict, the error of one
 * 64-position run through the raw session (what the check guards against), and per prompt length
 * the largest |diff| between the engine's logits on WebGPU and the CPU reference folder's, after the
 * prompt and after three steps through the cache.
 */
import * as ort from 'onnxruntime-node';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeepseekVlEngine } from '../../model-host/engines/deepseek-vl/engine';
import { webgpuLongRunsAreRight } from '../../model-host/engines/deepseek-vl/webgpu-attention-check';

const maxDiff = (a: Float32Array[], b: Float32Array[]) => Math.max(...a.map((row, p) => row.reduce((m, v, i) => Math.max(m, Math.abs(v - b[p][i])), 0)));

/** The last position's logits of one prompt run straight through a kv-rows decoder session. */
async function oneRun(dir: string, device: string, ids: number[]): Promise<Float32Array> {
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as {
    text_config: { num_hidden_layers: number; num_key_value_heads: number; head_dim: number; hidden_size: number };
  };
  const t = config.text_config;
  const session = await ort.InferenceSession.create(join(dir, 'onnx', 'decoder_model_merged.onnx'), { executionProviders: [device] });
  const S = ids.length;
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, S]),
    image_features: new ort.Tensor('float32', new Float32Array(0), [0, t.hidden_size]),
    image_positions: new ort.Tensor('int64', new BigInt64Array(0), [0]),
    position_ids: new ort.Tensor(
      'int64',
      BigInt64Array.from({ length: S }, (_, i) => BigInt(i)),
      [1, S],
    ),
    seqlens_k: new ort.Tensor('int32', Int32Array.of(S - 1), [1]),
    total_sequence_length: new ort.Tensor('int32', Int32Array.of(S), []),
    num_logits_to_keep: new ort.Tensor('int64', BigInt64Array.of(1n), []),
  };
  for (let i = 0; i < t.num_hidden_layers; i++) {
    for (const kv of ['key', 'value']) {
      feeds[`past_key_values.${i}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [1, t.num_key_value_heads, 0, t.head_dim]);
    }
  }
  const out = await session.run(feeds, ['logits']);
  await session.release();
  return out.logits.data as Float32Array;
}

async function main(): Promise<void> {
  const [gpuDir, cpuDir, ...lengths] = process.argv.slice(2);
  const gpu = await DeepseekVlEngine.load(gpuDir, 'webgpu', () => undefined);
  const cpu = await DeepseekVlEngine.load(cpuDir, 'cpu', () => undefined);
  const ids = (n: number) => Array.from({ length: n }, (_, i) => 10 + ((i * 37) % 400));
  const byLength: Record<string, number> = {};
  for (const n of lengths.map(Number)) {
    byLength[n] = maxDiff(await gpu.logitsAlong({ inputIds: ids(n) }, [5, 6, 7]), await cpu.logitsAlong({ inputIds: ids(n) }, [5, 6, 7]));
  }
  const singleRun64 = maxDiff([await oneRun(gpuDir, 'webgpu', ids(64))], [await oneRun(gpuDir, 'cpu', ids(64))]);
  const result = { device: gpu.device, longRunsRight: await webgpuLongRunsAreRight(), singleRun64, byLength };
  await gpu.dispose();
  await cpu.dispose();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`webgpu check failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
