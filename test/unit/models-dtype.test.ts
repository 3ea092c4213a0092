/** Which dtype a DeepSeek-VL download is converted to on each device, and the estimates that follow it. */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { chooseDtype, convertedBytes, runMemoryGb } from '../../model-host/models/dtype';
import { modelPickItems } from '../../src/features/models/models-view';
import type { DeviceInfo, ModelsListResult } from '../../model-host/protocol';

const withF16: DeviceInfo[] = [{ kind: 'webgpu', available: true, shaderF16: true }];
const withoutF16: DeviceInfo[] = [{ kind: 'webgpu', available: true, shaderF16: false }];

test('auto: q4 on the CPU, q4f16 on a GPU with fp16, q4 with a float32 cache on WebGPU without', () => {
  assert.equal(chooseDtype('auto', 'cpu', []).dtype, 'q4');
  assert.equal(chooseDtype(undefined, 'webgpu', withF16).dtype, 'q4f16');
  assert.deepEqual([chooseDtype('auto', 'webgpu', withoutF16).dtype, chooseDtype('auto', 'webgpu', withoutF16).kvDtype], ['q4', 'fp32']);
  assert.equal(chooseDtype('auto', 'cuda', []).dtype, 'q4f16');
});

test('an explicit dtype wins, except fp16 graphs on an adapter that cannot compute them', () => {
  assert.equal(chooseDtype('fp32', 'webgpu', withF16).dtype, 'fp32');
  assert.equal(chooseDtype('q4f16', 'cpu', []).dtype, 'q4f16');
  const fallback = chooseDtype('fp16', 'webgpu', withoutF16);
  assert.deepEqual([fallback.dtype, fallback.kvDtype], ['q4', 'fp32']);
  assert.match(fallback.reason, /no shader-f16/);
});

test('disk and memory follow the dtype: fp32 of the 7B is about 29 GB, q4 under a quarter of it', () => {
  assert.equal(Math.round(convertedBytes(7.3e9, 'fp32') / 1e9), 29);
  assert.ok(runMemoryGb(7.3e9, 'q4', 2e9) < runMemoryGb(7.3e9, 'fp32', 2e9) / 4 + 1);
  assert.ok(runMemoryGb(1.8e9, 'q4', 0.8e9) < 3);
});

test('Select Model shows the dtype and the memory a conversion preset needs', () => {
  const list: ModelsListResult = {
    presets: [
      {
        id: 'deepseek-vl-1.3b-chat',
        displayName: 'DeepSeek-VL 1.3B chat',
        family: 'deepseek-vl',
        repo: 'r',
        revision: 'main',
        sizeBytes: 3.5e9,
        licence: 'L',
        minGpuMemoryGb: 4,
        goodAt: 'Small',
        installed: false,
        conversion: { dtype: 'q4', reason: 'the CPU: 4-bit weights with its int8 kernels', memoryGb: 2.5, diskBytes: 1.2e9 },
      },
    ],
    installed: [],
  };
  const [item] = modelPickItems(list, undefined);
  assert.match(item.description ?? '', /q4 · ~2\.5 GB memory/);
  assert.match(item.detail ?? '', /Converted to q4 \(the CPU/);
});
