/**
 * Downloads one hub file into the store, resumably: bytes go to `<file>.partial`, a retry or a later
 * pull continues from the bytes already there with `Range`, and only a file whose size and checksum
 * match the hub's listing is renamed to its real name.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { hubGet, resolveUrl, statusError, type HubContext, type HubFile } from './hub-client';
import { ModelError, cancelledError, isTransientNetworkError } from './errors';

export interface FileDownloadOptions {
  repo: string;
  revision: string;
  file: HubFile;
  /** Folder of the model; the file goes to `dir/file.path`. */
  dir: string;
  hub: HubContext;
  /** Reports the bytes of this file on disk. */
  onBytes(done: number): void;
  log(message: string): void;
  /** Attempts per file for transient errors (dropped connection, 5xx). */
  attempts?: number;
  /** First backoff delay; doubles each retry. */
  retryDelayMs?: number;
  /** Called when the last bytes are in and hashing starts. */
  onVerifying?(): void;
}

export interface VerifiedFile {
  path: string;
  size: number;
  sha256?: string;
  gitSha1?: string;
}

export function partialPath(dir: string, file: string): string {
  return path.join(dir, `${file}.partial`);
}

async function sizeOnDisk(p: string): Promise<number> {
  try {
    return (await fs.promises.stat(p)).size;
  } catch {
    return 0;
  }
}

interface Digests {
  sha256: string;
  gitSha1: string;
  size: number;
}

/** sha256 and git blob sha1 (`blob <size>\0` + content) of bytes fed in order. */
class ContentDigest {
  private readonly sha256 = createHash('sha256');
  private readonly sha1 = createHash('sha1');
  private bytes = 0;

  constructor(size: number) {
    this.sha1.update(`blob ${size}\0`);
  }

  update(chunk: Buffer): void {
    this.sha256.update(chunk);
    this.sha1.update(chunk);
    this.bytes += chunk.length;
  }

  /** Feeds the first `end` bytes of a file (the part of a resumed download already on disk). */
  async updateFromFile(p: string, end?: number): Promise<void> {
    if (end === 0) return;
    for await (const chunk of fs.createReadStream(p, { highWaterMark: 1 << 20, end: end === undefined ? undefined : end - 1 })) this.update(chunk as Buffer);
  }

  digest(): Digests {
    return { sha256: this.sha256.digest('hex'), gitSha1: this.sha1.digest('hex'), size: this.bytes };
  }
}

/** sha256 and git blob sha1 of a file, in one read. */
export async function hashFile(p: string): Promise<Digests> {
  const digest = new ContentDigest((await fs.promises.stat(p)).size);
  await digest.updateFromFile(p);
  return digest.digest();
}

/**
 * Streams one response into the partial file and hashes the bytes as they arrive (after the part
 * already on disk), so a finished file is not read a second time; resolves to the digests.
 */
async function fetchOnce(opts: FileDownloadOptions, partial: string, start: number): Promise<Digests> {
  const { file, hub } = opts;
  const url = resolveUrl(hub.env, opts.repo, opts.revision, file.path);
  const res = await hubGet(url, hub, start > 0 ? { Range: `bytes=${start}-` } : {});
  const status = res.statusCode ?? 0;
  let offset = start;
  if (status === 206) {
    const from = Number(/bytes (\d+)-/.exec(String(res.headers['content-range'] ?? ''))?.[1] ?? NaN);
    if (from !== start) {
      res.resume();
      throw new ModelError('network', `${file.path}: asked for bytes from ${start}, the server sent a range from ${from}`, true);
    }
  } else if (status === 200) {
    if (start > 0) opts.log(`${file.path}: the server ignored the Range request (HTTP 200); restarting this file from 0`);
    offset = 0;
  } else if (status === 416) {
    // The partial is longer than (or as long as) the file: start over.
    res.resume();
    await fs.promises.rm(partial, { force: true });
    throw new ModelError('network', `${file.path}: the partial download did not fit the file; restarting it`, true);
  } else {
    res.resume();
    throw statusError(status, `${file.path} of ${opts.repo}@${opts.revision}`, hub.env);
  }

  const digest = new ContentDigest(file.size);
  if (offset > 0) await digest.updateFromFile(partial, offset);
  const handle = await fs.promises.open(partial, offset === 0 ? 'w' : 'a');
  let written = offset;
  try {
    for await (const chunk of res) {
      const buf = chunk as Buffer;
      if (written + buf.length > file.size) {
        throw new ModelError('checksum', `${file.path}: the server sent more than the ${file.size} bytes the listing announced`);
      }
      await handle.write(buf);
      digest.update(buf);
      written += buf.length;
      opts.onBytes(written);
    }
  } catch (err) {
    if (hub.signal?.aborted) throw cancelledError(`Downloading ${file.path}`);
    if ((err as NodeJS.ErrnoException).code === 'ENOSPC') {
      throw new ModelError('disk-full', `The disk is full while writing ${file.path} in ${opts.dir}; free some space and pull again (the download resumes)`);
    }
    if (err instanceof ModelError) throw err;
    throw new ModelError('network', `${file.path}: connection lost after ${written} of ${file.size} bytes (${(err as Error).message})`, true);
  } finally {
    await handle.close();
  }
  if (hub.signal?.aborted) throw cancelledError(`Downloading ${file.path}`);
  if (written < file.size) {
    throw new ModelError('network', `${file.path}: connection closed after ${written} of ${file.size} bytes`, true);
  }
  return digest.digest();
}

/** Checks the complete partial's digests (hashing it if the download did not), and installs it under its real name when they match. */
async function verifyAndInstall(opts: FileDownloadOptions, partial: string, target: string, streamed: Digests | undefined): Promise<VerifiedFile> {
  const { file } = opts;
  opts.onVerifying?.();
  const got = streamed ?? (await hashFile(partial));
  const problem =
    got.size !== file.size
      ? `size ${got.size} bytes, expected ${file.size}`
      : file.sha256 && got.sha256 !== file.sha256
        ? `sha256 ${got.sha256}, expected ${file.sha256}`
        : !file.sha256 && file.gitSha1 && got.gitSha1 !== file.gitSha1
          ? `git sha1 ${got.gitSha1}, expected ${file.gitSha1}`
          : undefined;
  if (problem) {
    // The bytes are wrong, so resuming from them would never succeed: drop them.
    await fs.promises.rm(partial, { force: true });
    throw new ModelError(
      'checksum',
      `${file.path} of ${opts.repo}@${opts.revision} failed verification: ${problem}. The file was not installed and its download was deleted; pull again, and if it repeats the hub or a proxy is serving wrong bytes`,
    );
  }
  await fs.promises.rename(partial, target);
  return { path: file.path, size: got.size, sha256: got.sha256, gitSha1: file.sha256 ? undefined : got.gitSha1 };
}

export async function downloadFile(opts: FileDownloadOptions): Promise<VerifiedFile> {
  const { file, dir } = opts;
  const target = path.join(dir, file.path);
  if (!path.resolve(target).startsWith(path.resolve(dir) + path.sep)) {
    throw new ModelError('bad-input', `The hub listed a file outside the model folder: ${file.path}`);
  }
  const partial = partialPath(dir, file.path);
  await fs.promises.mkdir(path.dirname(target), { recursive: true });
  const attempts = opts.attempts ?? 5;
  let delay = opts.retryDelayMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    if (opts.hub.signal?.aborted) throw cancelledError(`Downloading ${file.path}`);
    let onDisk = await sizeOnDisk(partial);
    if (onDisk > file.size) {
      await fs.promises.rm(partial, { force: true });
      onDisk = 0;
    }
    opts.onBytes(onDisk);
    try {
      let streamed: Digests | undefined;
      if (onDisk < file.size) {
        if (onDisk > 0) opts.log(`${file.path}: resuming from byte ${onDisk} of ${file.size}`);
        streamed = await fetchOnce(opts, partial, onDisk);
      }
      return await verifyAndInstall(opts, partial, target, streamed);
    } catch (err) {
      if (opts.hub.signal?.aborted) throw cancelledError(`Downloading ${file.path}`);
      if (!isTransientNetworkError(err) || attempt >= attempts) throw err;
      opts.log(`${(err as Error).message}; retry ${attempt} of ${attempts - 1} in ${delay} ms`);
      await new Promise((r) => setTimeout(r, delay));
      delay *= 2;
    }
  }
}
