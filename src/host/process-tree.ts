/**
 * Ending a host process for good: its whole tree (a host may have spawned helpers such as a device
 * probe), verified by PID. No `vscode` import, so it is testable in plain Node.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** All descendants of `pid` (children first, then theirs), found with `pgrep -P` on POSIX. */
export async function listDescendants(pid: number): Promise<number[]> {
  if (process.platform === 'win32') return []; // taskkill /T walks the tree itself
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    const children = await pgrepChildren(parent);
    for (const child of children) {
      if (!out.includes(child)) {
        out.push(child);
        queue.push(child);
      }
    }
  }
  return out;
}

function pgrepChildren(pid: number): Promise<number[]> {
  return new Promise((resolve) => {
    // pgrep exits 1 when there are no children: that is an empty list, not an error.
    execFile('pgrep', ['-P', String(pid)], (_err, stdout) => {
      resolve(
        String(stdout ?? '')
          .split(/\s+/)
          .filter(Boolean)
          .map(Number)
          .filter((n) => Number.isInteger(n) && n > 0),
      );
    });
  });
}

/** True while the process exists and is not a zombie waiting to be reaped (a zombie runs nothing). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (process.platform === 'linux') {
    try {
      // Field 3 of /proc/PID/stat is the state; the command name before it is in parentheses.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state === 'Z' || state === 'X') return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** Sends `signal` to each PID, ignoring the ones already gone. */
export function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Kills `pid` and every descendant: SIGKILL to the tree collected first (so grandchildren are found
 * before they are re-parented), `taskkill /T /F` on Windows. Also kills `extraPids` (descendants
 * collected earlier, which may have been re-parented since).
 */
export async function killTree(pid: number, extraPids: number[] = []): Promise<number[]> {
  if (process.platform === 'win32') {
    await new Promise<void>((resolve) => execFile('taskkill', ['/PID', String(pid), '/T', '/F'], () => resolve()));
    return [pid];
  }
  const tree = [pid, ...(await listDescendants(pid)), ...extraPids];
  const unique = [...new Set(tree)];
  signalAll(unique, 'SIGKILL');
  return unique;
}

/** Waits until none of `pids` is alive; returns the ones still alive at the deadline. */
export async function waitGone(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = pids.filter(isAlive);
    if (alive.length === 0 || Date.now() >= deadline) return alive;
    await new Promise((r) => setTimeout(r, 20));
  }
}
