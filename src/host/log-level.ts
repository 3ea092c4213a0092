/**
 * The model host logs at the level of the extension's own log channel: the user sets it the way
 * every VS Code log is set (*Developer: Set Log Level…*, or the gear on the Output view), and a
 * change reaches a running host at once, without a restart.
 */
import type * as vscode from 'vscode';
import { SetLogLevelRequest, type LogLevel } from '../../model-host/protocol';
import type { HostClient } from './host-client';

/** vscode.LogLevel's values (Off, Trace, Debug, Info, Warning, Error) as the host's levels. */
const HOST_LEVELS: Record<number, LogLevel> = { 0: 'error', 1: 'trace', 2: 'debug', 3: 'info', 4: 'warn', 5: 'error' };

export function hostLogLevelFor(level: vscode.LogLevel): LogLevel {
  return HOST_LEVELS[level] ?? 'info';
}

export function followLogLevel(
  log: Pick<vscode.LogOutputChannel, 'onDidChangeLogLevel' | 'warn'>,
  host: Pick<HostClient, 'state' | 'sendRequest'>,
): vscode.Disposable {
  return log.onDidChangeLogLevel((level) => {
    // A host that is not running reads the level when it starts (host/initialize).
    if (host.state !== 'ready' && host.state !== 'busy') return;
    host
      .sendRequest(SetLogLevelRequest, { level: hostLogLevelFor(level) })
      .catch((err: Error) => log.warn(`the model host kept its log level: ${err.message}`));
  });
}
