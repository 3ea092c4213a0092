/**
 * Which dtype a downloaded DeepSeek-VL checkpoint is converted to, and what that costs. The
 * converter's dtypes are sized for devices: q4 for the CPU (4-bit decoder with int8 kernels, int8
 * vision), q4f16 for GPUs that compute in fp16 (`shader-f16` on WebGPU; CUDA, DirectML and CoreML
 * all do), q4 with a float32 cache for WebGPU adapters without fp16. fp32 (the reference, 4 bytes a
 * weight: 28 GB for the 7B) and fp16 only when asked for.
 */
import type { DeviceInfo, DeviceKind, ModelDtypePreference } from '../protocol';

export type ConvertedDtype = Exclude<ModelDtypePreference, 'auto'>;

export interface DtypeChoice {
  dtype: ConvertedDtype;
  /** The kv-rows decoder's cache, when not the converter's default (fp16). */
  kvDtype?: 'fp32';
  reason: string;
}

/** Bytes per weight in the converted folder, measured on the synthetic 1.3B (docs/performance.md). */
const BYTES_PER_WEIGHT: Record<ConvertedDtype, number> = { fp32: 4, fp16: 2, q4f16: 0.65, q4: 0.65 };

function hasShaderF16(devices: DeviceInfo[]): boolean {
  return devices.find((d) => d.kind === 'webgpu')?.shaderF16 !== false;
}

export function chooseDtype(preference: ModelDtypePreference | undefined, device: DeviceKind, devices: DeviceInfo[]): DtypeChoice {
  const noF16 = device === 'webgpu' && !hasShaderF16(devices);
  if (preference && preference !== 'auto') {
    if (noF16 && (preference === 'fp16' || preference === 'q4f16')) {
      return { dtype: 'q4', kvDtype: 'fp32', reason: `asked for ${preference}, but this WebGPU adapter has no shader-f16: q4 with a float32 cache instead` };
    }
    return { dtype: preference, ...(noF16 && preference === 'q4' ? { kvDtype: 'fp32' as const } : {}), reason: `asked for ${preference}` };
  }
  if (device === 'cpu') return { dtype: 'q4', reason: 'the CPU: 4-bit weights with its int8 kernels' };
  if (noF16) return { dtype: 'q4', kvDtype: 'fp32', reason: 'WebGPU without shader-f16: 4-bit weights, float32 activations' };
  return { dtype: 'q4f16', reason: `${device === 'webgpu' ? 'WebGPU with shader-f16' : device.toUpperCase()}: 4-bit weights, fp16 activations` };
}

/** Disk the converted folder takes. */
export function convertedBytes(parameters: number, dtype: ConvertedDtype): number {
  return parameters * BYTES_PER_WEIGHT[dtype];
}

/**
 * Memory to run it: the weights plus the KV cache of a 4096-token context, activations and the
 * runtime (about half a gigabyte at 1.3B, measured peak RSS 2.2 GB for q4 on the CPU).
 */
export function runMemoryGb(parameters: number, dtype: ConvertedDtype, contextBytes: number): number {
  return Math.round(((convertedBytes(parameters, dtype) + contextBytes) / 1e9 + 0.5) * 10) / 10;
}
