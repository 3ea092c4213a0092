/**
 * How features talk to the model host without knowing about processes: the supervisor implements
 * this over the current connection and re-binds notification handlers after every restart.
 */
import type { CancellationToken, NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';
import type { InitializeResult } from '../../model-host/protocol';

export type HostState = 'starting' | 'ready' | 'busy' | 'crashed' | 'stopped';

export interface HostStateChange {
  state: HostState;
  /** Set in `ready`/`busy`: what the host said at initialize. */
  info?: InitializeResult;
  /** Set in `crashed`/`stopped`: why. */
  reason?: string;
  /** Set in `crashed` when the supervisor stopped restarting (too many crashes in a short window). */
  gaveUp?: boolean;
  /** Set in `busy`: what the host is working on (from `host/busy`), e.g. a task id. */
  busyLabel?: string;
}

export interface Disposable {
  dispose(): void;
}

export interface HostClient {
  readonly state: HostState;
  readonly info: InitializeResult | undefined;
  onDidChangeState(listener: (change: HostStateChange) => void): Disposable;
  /** Resolves once the host is ready (starting it if needed); rejects if it gave up. */
  whenReady(): Promise<InitializeResult>;
  sendRequest<P, R>(type: RequestType<P, R, void>, params: P, token?: CancellationToken): Promise<R>;
  sendRequest<R>(type: RequestType0<R, void>, token?: CancellationToken): Promise<R>;
  /** The handler survives host restarts. */
  onNotification<P>(type: NotificationType<P>, handler: (params: P) => void): Disposable;
}
