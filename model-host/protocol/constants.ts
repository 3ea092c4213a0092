/**
 * The vocabulary both processes share: devices, log levels, the image formats Visual Coder reads.
 * Written once here; the host's probes, the CLI, the settings schema checks and the extension's
 * pickers all read these lists.
 */

/** Execution devices the host can run ONNX graphs on, in the order `auto` tries them. */
export const DEVICE_KINDS = ['webgpu', 'cuda', 'dml', 'coreml', 'cpu'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];
/** The GPU kinds among them. */
export const GPU_DEVICE_KINDS: readonly DeviceKind[] = ['webgpu', 'cuda', 'dml', 'coreml'];
/** What the user asked for (`visualCoder.device`); `auto` probes in `DEVICE_KINDS` order. */
export const DEVICE_PREFERENCES = ['auto', ...DEVICE_KINDS] as const;
export type DevicePreference = (typeof DEVICE_PREFERENCES)[number];

/** Log levels, lowest first. */
/** What the panel's preview renders code as: a page, a React or Vue component's markup, or nothing. */
export const PREVIEW_RUNTIMES = ['html', 'react', 'vue', 'none'] as const;
export type PreviewRuntime = (typeof PREVIEW_RUNTIMES)[number];

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Whether a message at `level` passes a `threshold`. */
export function logLevelPasses(level: LogLevel, threshold: LogLevel): boolean {
  return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(threshold);
}

/** Image file types Visual Coder reads, by extension, with their MIME types. */
export const IMAGE_MIME_TYPES: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
  svg: 'image/svg+xml',
};
export const IMAGE_EXTENSIONS: readonly string[] = Object.keys(IMAGE_MIME_TYPES);

/** The image extension of a file name or path, lower case, when it is one we read. */
export function imageExtensionOf(name: string): string | undefined {
  const ext = name.split(/[\\/]/).pop()?.split('.').pop()?.toLowerCase();
  return ext && ext in IMAGE_MIME_TYPES ? ext : undefined;
}

/**
 * `visualCoder.modelDtype`: what a downloaded DeepSeek-VL checkpoint is converted to. `auto`: the
 * dtype that fits the device (q4 on the CPU, q4f16 on a GPU with shader-f16, q4 with an fp32 cache
 * on a GPU without).
 */
export const MODEL_DTYPES = ['auto', 'q4', 'q4f16', 'fp16', 'fp32'] as const;
export type ModelDtypePreference = (typeof MODEL_DTYPES)[number];
