/**
 * Whether WebGPU really works here: create a session on the WebGPU execution provider and run the
 * tiny model. Dawn can hang or crash the process while looking for an adapter, so the host runs this
 * in a short-lived child (`model-host devices --probe-webgpu-here`) with a timeout.
 */
import { spawn } from 'node:child_process';
import type { DeviceInfo } from '../protocol';
import { buildTinyAddModel, buildTinyHalfModel, TINY_EXPECTED, TINY_INPUT } from './tiny-model';

/** Runs the probe in this process. Only call it from a process that may die (the probe child). */
export async function probeWebGpuHere(): Promise<DeviceInfo> {
  try {
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(buildTinyAddModel(), { executionProviders: ['webgpu'] });
    try {
      const out = await session.run({ x: new ort.Tensor('float32', TINY_INPUT, [1, 4]) });
      const y = Array.from(out.y.data as Float32Array);
      if (y.join() !== TINY_EXPECTED.join()) {
        return { kind: 'webgpu', available: false, reason: `WebGPU returned wrong numbers for a test graph: ${y.join(', ')}` };
      }
    } finally {
      await session.release();
    }
    const shaderF16 = await computesInHalf(ort);
    return { kind: 'webgpu', available: true, detail: `onnxruntime-node WebGPU execution provider${shaderF16 ? '' : ', no shader-f16'}`, shaderF16 };
  } catch (err) {
    return { kind: 'webgpu', available: false, reason: cleanOrtMessage((err as Error).message) };
  }
}

/** Whether the adapter runs an fp16 graph itself (with the CPU fallback off, a missing shader-f16 fails). */
async function computesInHalf(ort: typeof import('onnxruntime-node')): Promise<boolean> {
  try {
    const session = await ort.InferenceSession.create(buildTinyHalfModel(), {
      executionProviders: ['webgpu'],
      logSeverityLevel: 4,
      extra: { session: { disable_cpu_ep_fallback: '1' } },
    });
    try {
      const out = await session.run({ x: new ort.Tensor('float32', TINY_INPUT, [1, 4]) });
      return Array.from(out.y.data as Float32Array).join() === TINY_EXPECTED.join();
    } finally {
      await session.release();
    }
  } catch {
    return false;
  }
}

export interface IsolatedProbeOptions {
  /** The host program to re-run (`dist/model-host.js`). */
  hostScript: string;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
}

/** Runs `probeWebGpuHere` in a child process; a hang or a crash becomes `available: false` with the reason. */
export function probeWebGpuIsolated(options: IsolatedProbeOptions): Promise<DeviceInfo> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [options.hostScript, 'devices', '--probe-webgpu-here'], {
      env: { ...(options.env ?? process.env), ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ kind: 'webgpu', available: false, reason: `the WebGPU probe did not finish within ${options.timeoutMs} ms` });
    }, options.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ kind: 'webgpu', available: false, reason: `could not start the WebGPU probe: ${err.message}` });
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        const info = JSON.parse(line) as DeviceInfo;
        if (info.kind === 'webgpu' && typeof info.available === 'boolean') return resolve(info);
      } catch {
        // fall through: the probe died before printing its answer
      }
      const why = signal ? `killed by ${signal}` : `exit code ${code}`;
      resolve({ kind: 'webgpu', available: false, reason: `the WebGPU probe crashed (${why}): ${firstLine(stderr.trim()) || 'no message'}` });
    });
  });
}

/** ORT prefixes errors with its source location and the failed condition; keep what a user can read. */
export function cleanOrtMessage(message: string): string {
  return firstLine(message.replace(/^[\s\S]*? was false\. /, '')).trim();
}

function firstLine(text: string): string {
  return text.split('\n')[0].slice(0, 300);
}
