/**
 * Process-tree bookkeeping over /proc, so `close()` can kill code-server, its extension host and
 * whatever the extension spawned (the model host) — even children that started their own process
 * group — and prove nothing is left behind.
 */
import { readdirSync, readFileSync } from 'node:fs';

interface ProcInfo {
  pid: number;
  ppid: number;
  state: string;
}

function readProc(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ..." — comm may contain spaces and parentheses, so cut at the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, state: rest[0], ppid: Number(rest[1]) };
  } catch {
    return undefined;
  }
}

function allProcs(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const info = readProc(Number(name));
    if (info) out.push(info);
  }
  return out;
}

/** Every live descendant of `root` (children, grandchildren, ...), not including `root`. */
export function descendants(root: number): number[] {
  const byParent = new Map<number, number[]>();
  for (const p of allProcs()) {
    if (p.state === 'Z') continue;
    const list = byParent.get(p.ppid) ?? [];
    list.push(p.pid);
    byParent.set(p.ppid, list);
  }
  const out: number[] = [];
  const queue = [...(byParent.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    out.push(pid);
    queue.push(...(byParent.get(pid) ?? []));
  }
  return out;
}

/** True while the process exists and is not a zombie waiting to be reaped. */
export function isAlive(pid: number): boolean {
  const info = readProc(pid);
  return info !== undefined && info.state !== 'Z';
}

/** The command line of a process, for messages about leftovers. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '(gone)';
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * SIGTERM `root` and every descendant (collected before signalling, because children re-parent to
 * init once their parent dies), wait up to `graceMs`, then SIGKILL what is left. Returns the pids
 * still alive after that (should be none).
 */
export async function killTree(root: number, graceMs = 5000, known: readonly number[] = []): Promise<number[]> {
  // `known`: descendants seen earlier, which may have been re-parented to init since (their parent
  // exited first) and so are no longer found under root; they must go too.
  const pids = [...new Set([...known.filter(isAlive), ...descendants(root), root])];
  // Tracking also the grandchildren that appear while we wait (e.g. a supervisor restarting its host).
  const seen = new Set(pids);
  for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    for (const pid of [...seen]) for (const d of descendants(pid)) seen.add(d);
    if ([...seen].every((pid) => !isAlive(pid))) return [];
    await sleep(100);
  }
  for (const pid of seen) signal(pid, 'SIGKILL');
  await sleep(300);
  return [...seen].filter(isAlive);
}
