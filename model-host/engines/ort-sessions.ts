/**
 * onnxruntime-node sessions with device choice and fallback: the requested device is tried first
 * (for `auto`: webgpu, cuda, dml, coreml in platform order), and any failure to create a session
 * falls back down the list to cpu, with the reason logged.
 */
import * as ort from 'onnxruntime-node';
import type { DeviceKind, DevicePreference, LogLevel } from '../protocol';

export type Log = (level: LogLevel, message: string) => void;

/** Devices to try, best first, always ending with cpu. */
export function deviceCandidates(pref: DevicePreference | DeviceKind, platform: NodeJS.Platform = process.platform): DeviceKind[] {
  if (pref === 'cpu') return ['cpu'];
  if (pref !== 'auto') return [pref, 'cpu'];
  const order: DeviceKind[] = ['webgpu'];
  if (platform === 'linux' || platform === 'win32') order.push('cuda');
  if (platform === 'win32') order.push('dml');
  if (platform === 'darwin') order.push('coreml');
  order.push('cpu');
  return order;
}

export interface SessionSpec {
  /** Key used by the engine, e.g. `decoder_model_merged`. */
  name: string;
  path: string;
  /** Output names to keep on the GPU when running on webgpu (the KV cache). */
  gpuOutputs?: string[];
}

export type SessionSet = Record<string, ort.InferenceSession>;

function sessionOptions(device: DeviceKind): ort.InferenceSession.SessionOptions {
  return { executionProviders: [device], graphOptimizationLevel: 'all', logSeverityLevel: 3 };
}

async function createOn(device: DeviceKind, specs: SessionSpec[]): Promise<SessionSet> {
  const out: SessionSet = {};
  try {
    for (const spec of specs) {
      const gpu = device === 'webgpu' ? (spec.gpuOutputs ?? []) : [];
      const options = sessionOptions(device);
      if (gpu.length) options.preferredOutputLocation = Object.fromEntries(gpu.map((n) => [n, 'gpu-buffer' as const]));
      out[spec.name] = await ort.InferenceSession.create(spec.path, options);
    }
    return out;
  } catch (e) {
    await releaseAll(out);
    throw e;
  }
}

export async function releaseAll(sessions: SessionSet): Promise<void> {
  for (const s of Object.values(sessions)) await s.release().catch(() => undefined);
}

/** Creates every session on the first device that accepts all of them. */
export async function createSessions(
  specs: SessionSpec[],
  pref: DevicePreference | DeviceKind,
  log: Log,
): Promise<{ device: DeviceKind; sessions: SessionSet }> {
  const candidates = deviceCandidates(pref);
  let lastError: unknown;
  for (const device of candidates) {
    try {
      const sessions = await createOn(device, specs);
      log('info', `model sessions created on ${device}`);
      return { device, sessions };
    } catch (e) {
      lastError = e;
      if (device !== 'cpu') log('warn', `could not use ${device} (${(e as Error).message.split('\n')[0]}); falling back`);
    }
  }
  throw new Error(`could not load the model on any device: ${(lastError as Error).message}`);
}
