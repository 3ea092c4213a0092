import type { DeviceInfo, DeviceKind, DevicePreference, LogLevel } from '../protocol';

/**
 * Probes which execution devices this machine offers. PLACEHOLDER: cpu only until the
 * real probe (WebGPU adapter, CUDA provider library, DirectML, CoreML) lands.
 */
export async function probeDevices(_log: (level: LogLevel, message: string) => void): Promise<DeviceInfo[]> {
  return [{ kind: 'cpu', available: true }];
}

/** Picks the device for a preference, logging each fallback with its reason. */
export function chooseDevice(preference: DevicePreference, devices: DeviceInfo[], log: (level: LogLevel, message: string) => void): DeviceKind {
  const order: DeviceKind[] = preference === 'auto' ? ['webgpu', 'cuda', 'dml', 'coreml', 'cpu'] : [preference, 'cpu'];
  for (const kind of order) {
    const info = devices.find((d) => d.kind === kind);
    if (info?.available) return kind;
    if (preference !== 'auto' || kind !== 'cpu') log('info', `device ${kind} not used: ${info?.reason ?? 'not offered on this platform'}`);
  }
  return 'cpu';
}
