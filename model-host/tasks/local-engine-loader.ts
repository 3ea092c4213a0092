/**
 * The one place the task runner reaches the local VLM engine (engineer H2a's `loadLocalEngine`).
 * Kept apart so the runner and its tests do not pull ONNX Runtime in.
 */
import type { DeviceKind, LogLevel } from '../protocol';
import type { TextEngine } from '../engines/engine';
import { HostError } from '../worker/messages';

export async function loadLocalTextEngine(_dir: string, _device: DeviceKind, _log: (level: LogLevel, message: string) => void): Promise<TextEngine> {
  throw new HostError(-32603, 'The local model engine is not part of this build of the model host yet; use a remote backend (visualCoder.backend = openai).');
}
