/**
 * Which execution devices this machine offers, each with availability and the reason when not.
 * `cpu` always; `webgpu` only if a session really runs on it (probed in a child process, since Dawn
 * can hang or crash); `cuda` only if onnxruntime-node's CUDA provider library sits beside its binding;
 * `dml` (Windows) and `coreml` (macOS) when the binding offers them. Cached per process.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEVICE_KINDS, type DeviceInfo, type DeviceKind, type DevicePreference, type LogLevel } from '../protocol';
import { probeWebGpuIsolated } from './webgpu-probe';

type Log = (level: LogLevel, message: string) => void;

export interface ProbeOptions {
  /** The host program the WebGPU probe child re-runs; defaults to this process's main script. */
  hostScript?: string;
  webgpuTimeoutMs?: number;
  platform?: NodeJS.Platform;
  arch?: string;
}

let cached: Promise<DeviceInfo[]> | undefined;

/** Probes once per process; later calls (every host/initialize) reuse the answer. */
export function probeDevices(log: Log, options: ProbeOptions = {}): Promise<DeviceInfo[]> {
  cached ??= probeUncached(log, options);
  return cached;
}

async function probeUncached(log: Log, options: ProbeOptions): Promise<DeviceInfo[]> {
  const started = Date.now();
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  const backends = await supportedBackends();
  const devices: DeviceInfo[] = [];

  if (backends.error) {
    devices.push({ kind: 'webgpu', available: false, reason: backends.error });
  } else if (!backends.names.includes('webgpu')) {
    devices.push({ kind: 'webgpu', available: false, reason: `this onnxruntime-node build (${platform}-${arch}) has no WebGPU execution provider` });
  } else {
    const hostScript = options.hostScript ?? require.main?.filename ?? process.argv[1];
    devices.push(await probeWebGpuIsolated({ hostScript, timeoutMs: options.webgpuTimeoutMs ?? 15_000 }));
  }

  if (platform === 'linux' || platform === 'win32') devices.push(probeCuda(platform, arch, backends.bindingDir));
  if (platform === 'win32') devices.push(offeredByBinding('dml', backends.names, 'DirectML'));
  if (platform === 'darwin') devices.push(offeredByBinding('coreml', backends.names, 'CoreML'));
  devices.push({ kind: 'cpu', available: true });

  for (const d of devices) log('info', `device ${d.kind}: ${d.available ? `available${d.detail ? ` (${d.detail})` : ''}` : `unavailable: ${d.reason}`}`);
  log('debug', `device probe took ${Date.now() - started} ms`);
  return devices;
}

function probeCuda(platform: NodeJS.Platform, arch: string, bindingDir: string | undefined): DeviceInfo {
  if (arch !== 'x64') return { kind: 'cuda', available: false, reason: `onnxruntime-node has no CUDA provider for ${platform}-${arch}` };
  if (!bindingDir) return { kind: 'cuda', available: false, reason: 'onnxruntime-node binding not found' };
  const lib = platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  const file = path.join(bindingDir, lib);
  if (!fs.existsSync(file)) {
    return {
      kind: 'cuda',
      available: false,
      reason: `${lib} is not installed beside onnxruntime-node (it is downloaded at install time; reinstall onnxruntime-node without ONNXRUNTIME_NODE_INSTALL=skip, with CUDA 12 present)`,
    };
  }
  return { kind: 'cuda', available: true, detail: file };
}

function offeredByBinding(kind: DeviceKind, names: string[], title: string): DeviceInfo {
  return names.includes(kind)
    ? { kind, available: true, detail: `onnxruntime-node ${title} execution provider` }
    : { kind, available: false, reason: `this onnxruntime-node build has no ${title} execution provider` };
}

/** Backends the onnxruntime-node binding was built with, and the folder of the binding. */
async function supportedBackends(): Promise<{ names: string[]; bindingDir?: string; error?: string }> {
  try {
    const ort = await import('onnxruntime-node');
    const names = ort.listSupportedBackends().map((b) => b.name);
    const pkgDir = path.dirname(require.resolve('onnxruntime-node/package.json'));
    const bindingDir = path.join(pkgDir, 'bin', 'napi-v6', process.platform, process.arch);
    return { names, bindingDir: fs.existsSync(bindingDir) ? bindingDir : undefined };
  } catch (err) {
    return { names: [], error: `onnxruntime-node could not be loaded: ${(err as Error).message.split('\n')[0]}` };
  }
}

/** Picks the device for a preference, logging each fallback with its reason. */
export function chooseDevice(preference: DevicePreference, devices: DeviceInfo[], log: Log): DeviceKind {
  const order: readonly DeviceKind[] = preference === 'auto' ? DEVICE_KINDS : [preference, 'cpu'];
  for (const kind of order) {
    const info = devices.find((d) => d.kind === kind);
    if (info?.available) return kind;
    // In auto mode only devices this platform lists are worth a line; an explicit choice always is.
    if (kind !== 'cpu' && (info || preference !== 'auto')) {
      log(preference === 'auto' ? 'info' : 'warn', `device ${kind} not used: ${info?.reason ?? 'not offered on this platform'}`);
    }
  }
  return 'cpu';
}
