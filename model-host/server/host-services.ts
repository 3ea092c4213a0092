import type { MessageConnection } from 'vscode-jsonrpc';
import type { DeviceInfo, DeviceKind, InitializeParams, LogLevel } from '../protocol';
import type { EngineWorkerClient } from '../worker/client';

/** What request handlers on the protocol thread share. */
export interface HostServices {
  connection: MessageConnection;
  worker: EngineWorkerClient;
  log(level: LogLevel, message: string): void;
  /** Settings from `host/initialize` (defaults until it arrives). */
  settings: InitializeParams;
  /** Devices as probed at initialize, and the one chosen for the preference. */
  devices: DeviceInfo[];
  device: DeviceKind;
  /** True when started with VISUAL_CODER_TEST=1: enables debug/* requests. */
  testMode: boolean;
}

/** A module that adds request handlers to the connection. */
export type HandlerModule = (services: HostServices) => void;
