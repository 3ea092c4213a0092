/**
 * The device probe's isolation and choice: a WebGPU probe child that hangs or crashes becomes
 * "unavailable" with the reason (never a stuck or dead host), and the preference picks a device.
 * The real probe in both environments is covered by host-cli.test.ts and below through initialize.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { probeWebGpuIsolated, cleanOrtMessage } from '../../model-host/devices/webgpu-probe';
import { chooseDevice } from '../../model-host/devices/probe';
import { InitializeRequest } from '../../model-host/protocol';
import type { DeviceInfo } from '../../model-host/protocol';
import { envWithoutVulkan, repoRoot, startHost, stopHost, SWIFTSHADER_ENV } from './host-test-helpers';

const fakes = path.join(repoRoot, 'test', 'fixtures', 'fake-hosts');
/** The fake hosts are TypeScript: the probe's child runs them through tsx. */
const TSX_ENV = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import tsx`.trim() };

test('a probe child that hangs is killed at the timeout and reported', async () => {
  const info = await probeWebGpuIsolated({ hostScript: path.join(fakes, 'hang.ts'), timeoutMs: 500, env: TSX_ENV });
  assert.deepEqual(info, { kind: 'webgpu', available: false, reason: 'the WebGPU probe did not finish within 500 ms' });
});

test('a probe child that crashes is reported with its stderr', async () => {
  const info = await probeWebGpuIsolated({ hostScript: path.join(fakes, 'crash-at-start.ts'), timeoutMs: 10_000, env: TSX_ENV });
  assert.equal(info.available, false);
  assert.match(info.reason ?? '', /WebGPU probe crashed \(exit code 3\): fake host: cannot load native module/);
});

test('ORT error text is trimmed to what a user can read', () => {
  const raw =
    '/onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:136 onnxruntime::webgpu::WebGpuContext::Initialize(...)::<lambda()> adapter_result.status == wgpu::RequestAdapterStatus::Success was false. Failed to get a WebGPU adapter: No supported adapters';
  assert.equal(cleanOrtMessage(raw), 'Failed to get a WebGPU adapter: No supported adapters');
});

test('chooseDevice: auto takes the first available in order; an explicit unavailable choice falls back to cpu with a warning', () => {
  const devices: DeviceInfo[] = [
    { kind: 'webgpu', available: false, reason: 'no adapter' },
    { kind: 'cuda', available: true },
    { kind: 'cpu', available: true },
  ];
  const lines: string[] = [];
  const log = (level: string, m: string) => void lines.push(`${level} ${m}`);
  assert.equal(chooseDevice('auto', devices, log), 'cuda');
  assert.deepEqual(lines, ['info device webgpu not used: no adapter']);
  lines.length = 0;
  assert.equal(chooseDevice('webgpu', devices, log), 'cpu');
  assert.deepEqual(lines, ['warn device webgpu not used: no adapter']);
  lines.length = 0;
  assert.equal(chooseDevice('coreml', devices, log), 'cpu');
  assert.deepEqual(lines, ['warn device coreml not used: not offered on this platform']);
});

test(
  'host/initialize with device auto picks webgpu under SwiftShader and cpu without a Vulkan driver',
  { skip: process.platform !== 'linux' && 'SwiftShader recipe is Linux-only' },
  async () => {
    for (const [env, expected] of [
      [envWithoutVulkan(SWIFTSHADER_ENV), 'webgpu'],
      [envWithoutVulkan({ VK_ICD_FILENAMES: '/nonexistent/icd.json' }), 'cpu'],
    ] as const) {
      const host = startHost(env);
      try {
        const result = await host.connection.sendRequest(InitializeRequest, { clientName: 'test', device: 'auto' });
        assert.equal(result.device, expected, JSON.stringify(result.devices));
      } finally {
        await stopHost(host);
      }
    }
  },
);
