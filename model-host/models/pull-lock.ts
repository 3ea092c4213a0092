/**
 * A lock file per model so two pulls of the same model (two windows, CLI + extension) never write
 * the same partial files. The file holds the owner's pid; a lock whose process is gone is stale and
 * taken over. A second pull waits (reporting why) until the first finishes, or fails after `waitMs`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { ModelError, cancelledError } from './errors';

interface LockBody {
  pid: number;
  token: string;
  since: string;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(file: string): LockBody | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LockBody;
  } catch {
    return undefined;
  }
}

/** The live process holding a lock file, if any (a lock left by a dead process does not count). */
export function lockHolder(file: string): { pid: number; since: string } | undefined {
  const body = readLock(file);
  return body && processAlive(body.pid) ? { pid: body.pid, since: body.since } : undefined;
}

export interface LockOptions {
  /** How long to wait for another pull; default: until it ends. */
  waitMs?: number;
  signal?: AbortSignal;
  /** Told once when the lock is held by someone else. */
  onWait?(holder: { pid: number; since: string }): void;
  pollMs?: number;
}

export interface HeldLock {
  release(): Promise<void>;
}

/** An unreadable lock file older than this is garbage left by a crash, not one being written. */
const GARBAGE_AFTER_MS = 10_000;

/**
 * Creates `file` with `text` in one step, failing with EEXIST when it exists: the text goes to a
 * private temp file first, which is then hard-linked to the name (a link is atomic and exclusive),
 * so another process never reads a half-written lock and takes it for garbage.
 */
async function createWhole(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await fs.promises.writeFile(tmp, text, { flag: 'wx', mode: 0o600 });
  try {
    await fs.promises.link(tmp, file);
  } finally {
    await fs.promises.rm(tmp, { force: true });
  }
}

export async function acquirePullLock(file: string, what: string, options: LockOptions = {}): Promise<HeldLock> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const body: LockBody = { pid: process.pid, token: randomUUID(), since: new Date().toISOString() };
  const started = Date.now();
  let told = false;
  for (;;) {
    if (options.signal?.aborted) throw cancelledError(`Waiting for the lock of ${what}`);
    try {
      await createWhole(file, JSON.stringify(body));
      return {
        async release() {
          // Only remove the lock if it is still ours (a stale-lock takeover may have replaced it).
          if (readLock(file)?.token === body.token) await fs.promises.rm(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readLock(file);
    if (holder && !processAlive(holder.pid)) {
      // Stale: the process that held it died without cleaning up.
      await fs.promises.rm(file, { force: true });
      continue;
    }
    if (!holder) {
      // Lock files appear whole (createWhole), so an unreadable one is garbage: stale once it is old
      // enough that no writer can still be busy with it (and gone already if it vanished meanwhile).
      const age = await fs.promises.stat(file).then(
        (st) => Date.now() - st.mtimeMs,
        () => Infinity,
      );
      if (age > GARBAGE_AFTER_MS) await fs.promises.rm(file, { force: true });
      else await new Promise((r) => setTimeout(r, options.pollMs ?? 200));
      continue;
    }
    if (!told) {
      options.onWait?.(holder);
      told = true;
    }
    if (options.waitMs !== undefined && Date.now() - started >= options.waitMs) {
      throw new ModelError('busy', `${what} is already being downloaded by process ${holder.pid} (since ${holder.since}); wait for it to finish or cancel it`);
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 200));
  }
}
