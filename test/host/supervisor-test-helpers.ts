/** Shared helpers of the supervisor tests: a recording log and a supervisor over a fake host. */
import * as path from 'node:path';
import { HostSupervisor, type SupervisorOptions } from '../../src/host/supervisor';
import type { HostLog } from '../../src/host/host-process';
import type { HostStateChange } from '../../src/host/host-client';

const repoRoot = path.resolve(__dirname, '..', '..');
export const fakeHostsDir = path.join(repoRoot, 'test', 'fixtures', 'fake-hosts');

/** Node arguments that run a fake host (TypeScript, through tsx). */
export function fakeHostArgs(fake: string): string[] {
  return ['--import', 'tsx', path.join(fakeHostsDir, fake.replace(/\.js$/, '.ts'))];
}

export class RecordingLog implements HostLog {
  readonly lines: string[] = [];
  trace = (m: string) => void this.lines.push(`trace ${m}`);
  debug = (m: string) => void this.lines.push(`debug ${m}`);
  info = (m: string) => void this.lines.push(`info ${m}`);
  warn = (m: string) => void this.lines.push(`warn ${m}`);
  error = (m: string) => void this.lines.push(`error ${m}`);
  text(): string {
    return this.lines.join('\n');
  }
}

export function fakeSupervisor(fake: string, overrides: Partial<SupervisorOptions> = {}, args: string[] = []) {
  const log = new RecordingLog();
  const states: HostStateChange[] = [];
  const supervisor = new HostSupervisor({
    spawn: { command: process.execPath, args: [...fakeHostArgs(fake), ...args], cwd: repoRoot },
    initializeParams: () => ({ clientName: 'supervisor test', device: 'cpu' }),
    log,
    initializeTimeoutMs: 2_000,
    shutdownTimeoutMs: 300,
    exitTimeoutMs: 300,
    restart: { delaysMs: [10] },
    ...overrides,
  });
  supervisor.onDidChangeState((c) => states.push(c));
  return { supervisor, log, states };
}

/** Resolves when `predicate` holds on a state change (or already holds). */
export function waitForState(supervisor: HostSupervisor, predicate: (c: HostStateChange) => boolean, timeoutMs = 10_000): Promise<HostStateChange> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (sub.dispose(), reject(new Error(`state not reached; now ${supervisor.state}`))), timeoutMs);
    const sub = supervisor.onDidChangeState((c) => {
      if (predicate(c)) {
        clearTimeout(timer);
        sub.dispose();
        resolve(c);
      }
    });
  });
}
