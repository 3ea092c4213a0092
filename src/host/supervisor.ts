/**
 * Keeps one model host alive for the extension: an explicit state machine
 * (starting → ready ⇄ busy, crashed, stopped), bounded restarts with backoff, and the HostClient
 * that features use, whose notification handlers survive restarts. No `vscode` import: the
 * extension passes settings and the log in, so this runs in plain Node tests.
 */
import type { CancellationToken, MessageConnection, NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';
import { BusyNotification, InitializeRequest, LogNotification, PingRequest, type InitializeParams, type InitializeResult } from '../../model-host/protocol';
import type { Disposable, HostClient, HostState, HostStateChange } from './host-client';
import { HostProcess, withTimeout, type ExitInfo, type HostLog, type SpawnSpec } from './host-process';
import { RestartPolicy, type RestartPolicyOptions } from './restart-policy';

export interface SupervisorOptions {
  spawn: SpawnSpec;
  /** Read at every (re)start, so a restart picks up changed settings. */
  initializeParams(): InitializeParams;
  log: HostLog;
  /** A host that has not answered host/initialize by then counts as a failed start. */
  initializeTimeoutMs?: number;
  shutdownTimeoutMs?: number;
  exitTimeoutMs?: number;
  restart?: RestartPolicyOptions;
  /**
   * How often a ready host is pinged, and how long it may take to answer. A host that stops answering
   * (a wedged protocol loop) is ended and restarted like a crashed one; inference runs in the host's
   * worker thread, so a busy host still answers. 0 turns the watchdog off.
   */
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  /** Injected so tests can move time (the crash window) without waiting. */
  now?(): number;
}

/** Raised when a request cannot be answered because the host is gone. */
export class HostUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HostUnavailableError';
  }
}

interface Life {
  process: HostProcess;
  /** Rejects every request in flight when this life ends. */
  died: Promise<never>;
  stopping: boolean;
  watchdog?: NodeJS.Timeout;
}

const DEFAULT_PING_INTERVAL_MS = 15_000;
const DEFAULT_PING_TIMEOUT_MS = 10_000;

export class HostSupervisor implements HostClient {
  private current?: Life;
  private stateValue: HostState = 'stopped';
  private infoValue?: InitializeResult;
  private gaveUpValue = false;
  private lastReason?: string;
  private readonly policy: RestartPolicy;
  private readonly listeners = new Set<(change: HostStateChange) => void>();
  private readonly notificationHandlers = new Map<string, { type: NotificationType<unknown>; handlers: Set<(params: unknown) => void> }>();
  private ready?: { promise: Promise<InitializeResult>; resolve(r: InitializeResult): void; reject(e: Error): void };
  private restartTimer?: NodeJS.Timeout;
  private disposed = false;
  private disposing?: Promise<void>;
  private busyLabel?: string;
  private restarting?: Promise<InitializeResult>;
  /** Process ids of every host started, oldest first (tests and the e2e API read it). */
  readonly pids: number[] = [];

  constructor(private readonly options: SupervisorOptions) {
    this.policy = new RestartPolicy(options.restart);
  }

  get state(): HostState {
    return this.stateValue;
  }
  get info(): InitializeResult | undefined {
    return this.infoValue;
  }
  /** True after too many crashes in the window: no more automatic restarts until `restart()`. */
  get gaveUp(): boolean {
    return this.gaveUpValue;
  }
  get pid(): number | undefined {
    return this.current?.process.pid;
  }

  onDidChangeState(listener: (change: HostStateChange) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Starts the host if it is not running (or starting); resolves when it is ready. */
  start(): Promise<InitializeResult> {
    if (this.disposed) return Promise.reject(new HostUnavailableError('The Visual Coder model host has been shut down.'));
    const pending = this.ensureReadyPromise();
    if (!this.current && !this.restartTimer) void this.launch();
    return pending;
  }

  whenReady(): Promise<InitializeResult> {
    if ((this.stateValue === 'ready' || this.stateValue === 'busy') && this.infoValue) return Promise.resolve(this.infoValue);
    if (this.gaveUpValue) return Promise.reject(new HostUnavailableError(this.gaveUpMessage()));
    return this.start();
  }

  /** User-requested restart: forgets past crashes, stops the current host, starts a new one. */
  restart(): Promise<InitializeResult> {
    // A second click while restarting joins the restart in progress instead of stopping the new host.
    this.restarting ??= this.restartOnce().finally(() => (this.restarting = undefined));
    return this.restarting;
  }

  private async restartOnce(): Promise<InitializeResult> {
    this.policy.reset();
    this.gaveUpValue = false;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    await this.stopCurrent('restart requested');
    return this.start();
  }

  /** Stops the host for good (extension deactivation). */
  dispose(): Promise<void> {
    // Both the subscription and deactivate() call this: stop once, and let both wait for it.
    this.disposing ??= this.disposeOnce();
    return this.disposing;
  }

  private async disposeOnce(): Promise<void> {
    this.disposed = true;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    await this.stopCurrent('the extension is shutting down');
    this.ready?.reject(new HostUnavailableError('The Visual Coder model host has been shut down.'));
    this.ready = undefined;
  }

  sendRequest<P, R>(type: RequestType<P, R, void>, params: P, token?: CancellationToken): Promise<R>;
  sendRequest<R>(type: RequestType0<R, void>, token?: CancellationToken): Promise<R>;
  async sendRequest(type: RequestType<unknown, unknown, void> | RequestType0<unknown, void>, ...rest: unknown[]): Promise<unknown> {
    await this.whenReady();
    const life = this.current;
    if (!life) throw new HostUnavailableError(`The Visual Coder model host is not running (${type.method}).`);
    const request = (life.process.connection.sendRequest as (...args: unknown[]) => Promise<unknown>)(type, ...rest);
    // If the host dies first, fail with a message that says so (streamed partial results stay with the caller).
    return Promise.race([request, life.died]);
  }

  onNotification<P>(type: NotificationType<P>, handler: (params: P) => void): Disposable {
    let entry = this.notificationHandlers.get(type.method);
    if (!entry) {
      entry = { type: type as NotificationType<unknown>, handlers: new Set() };
      this.notificationHandlers.set(type.method, entry);
      if (this.current) this.bindNotification(this.current.process.connection, entry);
    }
    const h = handler as (params: unknown) => void;
    entry.handlers.add(h);
    return { dispose: () => entry.handlers.delete(h) };
  }

  private ensureReadyPromise(): Promise<InitializeResult> {
    if (!this.ready) {
      let resolve!: (r: InitializeResult) => void;
      let reject!: (e: Error) => void;
      const promise = new Promise<InitializeResult>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      promise.catch(() => undefined); // callers that care await it; an unobserved rejection is not a crash
      this.ready = { promise, resolve, reject };
    }
    return this.ready.promise;
  }

  private async launch(): Promise<void> {
    this.restartTimer = undefined;
    const { log } = this.options;
    this.infoValue = undefined;
    this.setState('starting');
    const host = new HostProcess(this.options.spawn, log);
    let rejectDied!: (e: Error) => void;
    const died = new Promise<never>((_, reject) => (rejectDied = reject));
    died.catch(() => undefined);
    const life: Life = { process: host, died, stopping: false };
    this.current = life;
    if (host.pid !== undefined) this.pids.push(host.pid);
    log.info(`model host started (pid ${host.pid ?? 'none'}): ${[this.options.spawn.command, ...this.options.spawn.args].join(' ')}`);

    const connection = host.connection;
    connection.onNotification(LogNotification, ({ level, message }) => log[level]?.(`[host] ${message}`));
    connection.onNotification(BusyNotification, ({ busy, label }) => {
      if (this.current !== life || (this.stateValue !== 'ready' && this.stateValue !== 'busy')) return;
      const next = busy > 0 ? 'busy' : 'ready';
      const nextLabel = busy > 0 ? label : undefined;
      if (next === this.stateValue && nextLabel === this.busyLabel) return;
      this.busyLabel = nextLabel;
      this.setState(next);
    });
    for (const entry of this.notificationHandlers.values()) this.bindNotification(connection, entry);
    connection.listen();

    void host.exited.then((exit) => {
      clearInterval(life.watchdog);
      rejectDied(new HostUnavailableError(`The Visual Coder model host stopped while answering (${describeExit(exit)}). Check the "Visual Coder" log.`));
      if (this.current === life) this.onExit(life, exit);
    });

    const timeoutMs = this.options.initializeTimeoutMs ?? 20_000;
    const params = this.options.initializeParams();
    const result = await withTimeout(
      Promise.race([connection.sendRequest(InitializeRequest, params), died]).then(
        (r) => r,
        (e: Error) => e,
      ),
      timeoutMs,
      'timeout' as const,
    );
    if (this.current !== life || life.stopping) return;
    if (result === 'timeout' || result instanceof Error) {
      const why = result === 'timeout' ? `did not answer host/initialize within ${timeoutMs} ms` : `failed to initialize: ${result.message}`;
      log.error(`model host (pid ${host.pid}) ${why}`);
      this.lastReason = why;
      if (!host.hasExited) {
        // A failed start counts as a crash: end it and let onExit decide whether to try again.
        host.markBroken(why);
      }
      return;
    }
    this.infoValue = result;
    log.info(`model host ready: version ${result.version}, pid ${result.pid}, device ${result.device}`);
    this.watch(life);
    this.setState('ready');
    this.ready?.resolve(result);
    this.ready = undefined;
  }

  /** Pings the host of `life` periodically; one that does not answer in time is ended (and restarted as crashed). */
  private watch(life: Life): void {
    const interval = this.options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS;
    if (interval <= 0) return;
    const timeoutMs = this.options.pingTimeoutMs ?? DEFAULT_PING_TIMEOUT_MS;
    let pinging = false;
    life.watchdog = setInterval(async () => {
      if (pinging || life.stopping || this.current !== life) return;
      pinging = true;
      const answer = await withTimeout(
        life.process.connection.sendRequest(PingRequest).then(
          () => 'ok' as const,
          () => 'ok' as const,
        ),
        timeoutMs,
        'timeout' as const,
      );
      pinging = false;
      if (answer === 'timeout' && !life.stopping && this.current === life && !life.process.hasExited) {
        const why = `did not answer host/ping within ${timeoutMs} ms`;
        this.options.log.error(`model host (pid ${life.process.pid}) ${why}`);
        this.lastReason = why;
        life.process.markBroken(why);
      }
    }, interval);
    life.watchdog.unref?.();
  }

  private onExit(life: Life, exit: ExitInfo): void {
    this.current = undefined;
    if (life.stopping) return;
    const reason = exit.reason ?? this.lastReason ?? describeExit(exit);
    this.lastReason = undefined;
    this.options.log.error(`model host (pid ${life.process.pid}) crashed: ${reason}`);
    const decision = this.policy.recordCrash((this.options.now ?? Date.now)());
    if (decision.action === 'give-up') {
      this.gaveUpValue = true;
      const message = this.gaveUpMessage(decision.crashesInWindow);
      this.options.log.error(message);
      this.setState('crashed', message);
      this.ready?.reject(new HostUnavailableError(message));
      this.ready = undefined;
      return;
    }
    this.setState('crashed', reason);
    if (this.disposed) return;
    this.options.log.info(
      `restarting the model host in ${decision.delayMs} ms (crash ${decision.crashesInWindow} of ${this.policy.maxCrashes} tolerated within ${this.policy.windowMs / 1000} s)`,
    );
    this.ensureReadyPromise();
    this.restartTimer = setTimeout(() => void this.launch(), decision.delayMs);
  }

  private gaveUpMessage(crashes = this.policy.maxCrashes + 1): string {
    return `The Visual Coder model host crashed ${crashes} times within ${Math.round(this.policy.windowMs / 1000)} s, so it will not be restarted automatically. Check the log, then restart it.`;
  }

  private async stopCurrent(why: string): Promise<void> {
    const life = this.current;
    if (!life) return;
    life.stopping = true;
    clearInterval(life.watchdog);
    this.options.log.info(`stopping the model host (pid ${life.process.pid}): ${why}`);
    const survivors = await life.process.stop({ shutdownMs: this.options.shutdownTimeoutMs ?? 1_000, exitMs: this.options.exitTimeoutMs ?? 1_000 });
    if (survivors.length > 0) this.options.log.error(`model host processes still alive after kill: ${survivors.join(', ')}`);
    if (this.current === life) this.current = undefined;
    this.infoValue = undefined;
    this.setState('stopped', why);
  }

  private bindNotification(connection: MessageConnection, entry: { type: NotificationType<unknown>; handlers: Set<(params: unknown) => void> }): void {
    connection.onNotification(entry.type, (params) => {
      for (const handler of [...entry.handlers]) {
        try {
          handler(params);
        } catch (err) {
          this.options.log.error(`handler of ${entry.type.method} failed: ${(err as Error).stack ?? err}`);
        }
      }
    });
  }

  private setState(state: HostState, reason?: string): void {
    this.stateValue = state;
    if (state !== 'busy') this.busyLabel = undefined;
    const change: HostStateChange = { state, info: this.infoValue, reason };
    if (state === 'busy' && this.busyLabel) change.busyLabel = this.busyLabel;
    if (state === 'crashed' && this.gaveUpValue) change.gaveUp = true;
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch (err) {
        this.options.log.error(`host state listener failed: ${(err as Error).stack ?? err}`);
      }
    }
  }
}

function describeExit(exit: ExitInfo): string {
  if (exit.reason) return exit.reason;
  if (exit.signal) return `killed by ${exit.signal}`;
  return `exit code ${exit.code}`;
}
