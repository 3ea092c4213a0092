/**
 * One model-host process and its JSON-RPC connection: spawn, stderr to the log, stdout through the
 * frame filter, and the shutdown ladder (host/shutdown → close stdin → SIGTERM → kill the tree →
 * verify the PIDs are gone). The supervisor owns restarts; this owns one life.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as rpc from 'vscode-jsonrpc/node';
import { ShutdownRequest } from '../../model-host/protocol';
import { FrameFilter } from '../../model-host/protocol/frame-filter';
import { isAlive, killTree, listDescendants, waitGone } from './process-tree';

export interface HostLog {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface SpawnSpec {
  /** `process.execPath`: in VS Code that is Electron, made to behave as Node by ELECTRON_RUN_AS_NODE. */
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process was ended because its stdout became unusable. */
  reason?: string;
}

export interface StopTimeouts {
  /** Waiting for the host/shutdown answer. */
  shutdownMs: number;
  /** Waiting for exit after each step (stdin closed, SIGTERM). */
  exitMs: number;
}

export class HostProcess {
  readonly child: ChildProcess;
  readonly connection: rpc.MessageConnection;
  readonly exited: Promise<ExitInfo>;
  private exitInfo?: ExitInfo;
  private brokenReason?: string;

  constructor(
    spec: SpawnSpec,
    private readonly log: HostLog,
  ) {
    this.child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: { ...(spec.env ?? process.env), ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    this.exited = new Promise<ExitInfo>((resolve) => {
      // 'error' alone (spawn failed) never emits 'exit'; 'exit' may come without 'error'.
      this.child.once('error', (err) => {
        log.error(`model host failed to start: ${err.message}`);
        if (this.child.pid === undefined) resolve((this.exitInfo = { code: null, signal: null, reason: err.message }));
      });
      this.child.once('exit', (code, signal) => resolve((this.exitInfo = { code, signal, reason: this.brokenReason })));
    });
    this.child.stdin!.on('error', () => undefined); // EPIPE after the host died: the exit event reports it
    forwardLines(this.child.stderr!, (line) => log.info(`[host] ${line}`));

    const filter = new FrameFilter((garbage) => log.warn(`model host wrote non-protocol output to stdout (ignored): ${garbage.trim().slice(0, 500)}`));
    this.child.stdout!.pipe(filter);
    this.connection = rpc.createMessageConnection(new rpc.StreamMessageReader(filter), new rpc.StreamMessageWriter(this.child.stdin!));
    this.connection.onError(([error]) => {
      // Past the filter, an error means a frame we cannot decode: the stream cannot be trusted.
      this.markBroken(`unusable protocol stream: ${error.message}`);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.exitInfo !== undefined;
  }

  /** Kills the host because its protocol stream is broken; the exit is then reported as a crash. */
  markBroken(reason: string): void {
    if (this.brokenReason || this.hasExited) return;
    this.brokenReason = reason;
    this.log.error(`model host: ${reason}; ending it`);
    void this.kill();
  }

  /** Ends the process and its descendants at once. */
  async kill(): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined || this.hasExited) return;
    await killTree(pid);
  }

  /**
   * The polite-to-forceful ladder. Resolves once the host and every descendant seen are gone;
   * returns PIDs that survived everything (should be empty; logged by the caller).
   */
  async stop(timeouts: StopTimeouts): Promise<number[]> {
    const pid = this.child.pid;
    if (pid === undefined) return [];
    // Collect helpers now: once the host dies they are re-parented and `pgrep -P` loses them.
    const descendants = this.hasExited ? [] : await listDescendants(pid);
    if (!this.hasExited) {
      const answered = await withTimeout(
        this.connection.sendRequest(ShutdownRequest).then(
          () => true,
          () => false,
        ),
        timeouts.shutdownMs,
        false,
      );
      if (!answered) this.log.warn('model host did not answer host/shutdown in time');
      await withTimeout(this.exited, timeouts.exitMs, undefined);
    }
    if (!this.hasExited) {
      this.child.stdin?.end();
      await withTimeout(this.exited, timeouts.exitMs, undefined);
    }
    if (!this.hasExited) {
      this.log.warn(`model host (pid ${pid}) still running after stdin closed; sending SIGTERM`);
      this.child.kill('SIGTERM');
      await withTimeout(this.exited, timeouts.exitMs, undefined);
    }
    const stillThere = [pid, ...descendants, ...(isAlive(pid) ? await listDescendants(pid) : [])].filter(isAlive);
    if (stillThere.length > 0) {
      this.log.warn(`killing model host process tree: ${stillThere.join(', ')}`);
      await killTree(pid, stillThere);
    }
    this.connection.dispose();
    return waitGone([pid, ...descendants], 2_000);
  }
}

function forwardLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split(/\r?\n/);
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.length > 0) onLine(line);
  });
  stream.on('end', () => {
    if (pending.length > 0) onLine(pending);
  });
}

export function withTimeout<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      () => {
        clearTimeout(timer);
        resolve(fallback);
      },
    );
  });
}
