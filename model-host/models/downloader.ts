/**
 * `models pull`: lists a model's files on the hub, checks free space, downloads the missing ones a
 * few at a time (each resumable and verified, see file-download.ts), records every verified file in
 * the store manifest, and hands DeepSeek-VL checkpoints to the converter. Holds the model's lock
 * for the whole pull so a second pull of the same model waits instead of corrupting it.
 */
import * as fs from 'node:fs';
import type { ConversionProgress, DeviceInfo, DeviceKind, ModelDtypePreference, ModelsProgressParams } from '../protocol';
import { chooseDtype, convertedBytes, type DtypeChoice } from './dtype';
import { presetFiles, type ModelRef } from './registry';
import { listRepoFiles, type HubFile } from './hub-client';
import { downloadFile, partialPath } from './file-download';
import { MANIFEST_NAME, ModelStore, type ManifestFile, type ModelManifest } from './store';
import { acquirePullLock } from './pull-lock';
import { freeBytes as probeFreeBytes, formatBytes } from './disk-space';
import { PullProgress } from './progress';
import { ModelError, cancelledError } from './errors';
import { matchesAny } from './glob';

export interface PullOptions {
  ref: ModelRef;
  store: ModelStore;
  /** Picks the preset's file set for this device. */
  device?: DeviceKind;
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
  onProgress?(p: ModelsProgressParams): void;
  log?(message: string): void;
  /** Files downloaded at once. */
  parallel?: number;
  attempts?: number;
  retryDelayMs?: number;
  /** Glob patterns choosing the files of a hub repo (default: the preset's, or every file). */
  include?: string[];
  /** Free-space probe; tests inject one to simulate a full disk. */
  freeBytes?(dir: string): Promise<number>;
  /** How long to wait for another pull of the same model (default: until it ends). */
  lockWaitMs?: number;
  /** Runs after the files are verified, for checkpoints that need converting (phase `converting`). */
  convert?(ctx: {
    manifest: ModelManifest;
    modelDir: string;
    targetDir: string;
    dtype: DtypeChoice;
    progress(message: string): void;
    /** Tensors and bytes converted so far, shown in the same notification as the download. */
    counts?(conversion: ConversionProgress): void;
    signal?: AbortSignal;
  }): Promise<void>;
  /** What a checkpoint is converted to (default: what fits `device`, see dtype.ts). */
  dtype?: ModelDtypePreference;
  /** Devices as probed (whether WebGPU has shader-f16 decides the auto dtype). */
  devices?: DeviceInfo[];
  progressIntervalMs?: number;
}

export interface PullResult {
  id: string;
  dir: string;
  files: number;
  bytes: number;
  /** Bytes fetched by this pull (0 when everything was already verified). */
  downloadedBytes: number;
}

/** Chooses the files of a pull: the preset's patterns (each required one must match) or the whole repo. */
/**
 * A hub file whose path the store uses for itself (its manifest, the `.partial` files of resumable
 * downloads) would overwrite them and break `models verify` for good: such a listing is bad input.
 */
export function refuseReservedPaths(ref: ModelRef, files: readonly HubFile[]): void {
  const clash = files.find((f) => f.path === MANIFEST_NAME || f.path.endsWith('.partial'));
  if (clash) {
    throw new ModelError(
      'bad-input',
      `${ref.repo}@${ref.revision} has a file named ${clash.path}, a name the model store uses for itself; refusing to install it`,
    );
  }
}

export function selectFiles(ref: ModelRef, all: HubFile[], device: DeviceKind | undefined, include?: string[]): HubFile[] {
  refuseReservedPaths(ref, all);
  if (include?.length) {
    const picked = all.filter((f) => matchesAny(f.path, include));
    if (picked.length === 0) throw new ModelError('not-found', `No file of ${ref.repo}@${ref.revision} matches ${include.join(', ')}`);
    return picked;
  }
  if (!ref.preset) return all;
  const set = presetFiles(ref.preset, device);
  for (const pattern of set.include) {
    if (!all.some((f) => matchesAny(f.path, [pattern]))) {
      throw new ModelError(
        'not-found',
        `${ref.repo}@${ref.revision} has no file matching "${pattern}", which the preset ${ref.preset.id} needs; the repository layout changed`,
      );
    }
  }
  return all.filter((f) => matchesAny(f.path, [...set.include, ...(set.optional ?? [])]));
}

function alreadyVerified(manifest: ModelManifest | undefined, file: HubFile, dir: string): boolean {
  const m = manifest?.files.find((f) => f.path === file.path);
  if (!m || m.size !== file.size) return false;
  if (file.sha256 ? m.sha256 !== file.sha256 : m.gitSha1 !== file.gitSha1) return false;
  try {
    return fs.statSync(`${dir}/${file.path}`).size === file.size;
  } catch {
    return false;
  }
}

async function partialBytes(dir: string, file: HubFile): Promise<number> {
  try {
    return Math.min(file.size, (await fs.promises.stat(partialPath(dir, file.path))).size);
  } catch {
    return 0;
  }
}

/** The listing, retried with backoff on transient failures like the file downloads. */
async function listWithRetries(
  ref: ModelRef,
  hub: { env: Record<string, string | undefined>; signal?: AbortSignal },
  opts: PullOptions,
  log: (m: string) => void,
): Promise<HubFile[]> {
  const attempts = opts.attempts ?? 5;
  let delay = opts.retryDelayMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    try {
      return await listRepoFiles(ref.repo, ref.revision, hub);
    } catch (err) {
      if (opts.signal?.aborted) throw cancelledError(`The download of ${ref.id}`);
      if (!(err instanceof ModelError) || !err.transient || attempt >= attempts) throw err;
      log(`${err.message}; retry ${attempt} of ${attempts - 1} in ${delay} ms`);
      await new Promise((r) => setTimeout(r, delay));
      delay *= 2;
    }
  }
}

export async function pullModel(opts: PullOptions): Promise<PullResult> {
  const { ref, store } = opts;
  const env = opts.env ?? process.env;
  const log = opts.log ?? (() => undefined);
  const progress = new PullProgress(ref.id, opts.onProgress ?? (() => undefined), opts.progressIntervalMs);
  const lock = await acquirePullLock(store.lockPath(ref.id), ref.id, {
    waitMs: opts.lockWaitMs,
    signal: opts.signal,
    onWait: (h) => {
      log(`${ref.id} is being pulled by process ${h.pid} since ${h.since}; waiting for it to finish`);
      progress.force('listing', `waiting for another download of ${ref.id} (process ${h.pid})`);
    },
  });
  try {
    progress.force('listing', `listing ${ref.repo}@${ref.revision}`);
    const hub = { env, signal: opts.signal };
    const files = selectFiles(ref, await listWithRetries(ref, hub, opts, log), opts.device, opts.include);
    if (files.length === 0) throw new ModelError('not-found', `${ref.repo}@${ref.revision} has no files to download`);
    const dir = store.modelDir(ref.id);
    await fs.promises.mkdir(dir, { recursive: true });

    const previous = store.readManifest(ref.id);
    const manifest: ModelManifest = {
      version: 1,
      id: ref.id,
      family: ref.preset?.family ?? previous?.family ?? 'unknown',
      repo: ref.repo,
      revision: ref.revision,
      local: false,
      complete: false,
      // Keep only entries that still match the listing: a new revision invalidates the others.
      files: (previous?.files ?? []).filter((m) => files.some((f) => f.path === m.path && alreadyVerified(previous, f, dir))),
      convertedDir: previous?.convertedDir,
      convertedDtype: previous?.convertedDtype,
      updatedAt: new Date().toISOString(),
    };
    const todo: HubFile[] = [];
    let needBytes = 0;
    for (const f of files) {
      if (alreadyVerified(previous, f, dir)) {
        progress.addFile(f.path, f.size, f.size);
        continue;
      }
      const have = await partialBytes(dir, f);
      progress.addFile(f.path, f.size, have);
      todo.push(f);
      needBytes += f.size - have;
    }

    const free = await (opts.freeBytes ?? probeFreeBytes)(dir);
    const dtype = chooseDtype(opts.dtype, opts.device ?? 'cpu', opts.devices ?? []);
    // A folder converted to another dtype (or before dtypes, fp32) is converted again.
    const convertedBefore = Boolean(
      previous?.complete &&
      todo.length === 0 &&
      previous.convertedDir &&
      fs.existsSync(previous.convertedDir) &&
      (previous.convertedDtype ?? 'fp32') === dtype.dtype,
    );
    // The converted graphs take this much of a 16-bit checkpoint's size (fp32: twice; q4: about a third).
    const convertBytes =
      ref.preset?.needsConversion && opts.convert && !convertedBefore
        ? (convertedBytes(1, dtype.dtype) / 2) * files.reduce((n, f) => n + (f.path.endsWith('.safetensors') ? f.size : 0), 0)
        : 0;
    if (free < needBytes + convertBytes) {
      const conversion = convertBytes ? ` (${formatBytes(needBytes)} to download and about ${formatBytes(convertBytes)} for the ONNX conversion)` : '';
      throw new ModelError(
        'disk-full',
        `Not enough free disk space for ${ref.id} in ${store.root}: it needs ${formatBytes(needBytes + convertBytes)} more${conversion}, ${formatBytes(free)} are free. Free some space, or choose another folder (--store, VISUAL_CODER_MODELS or the visualCoder.modelsDir setting)`,
      );
    }
    await store.writeManifest(manifest);

    progress.convertsAfterDownload = convertBytes > 0;
    progress.force('downloading', todo.length ? `downloading ${todo.length} file(s), ${formatBytes(needBytes)}` : 'all files already verified');
    let manifestWrite = Promise.resolve();
    const record = (entry: ManifestFile) => {
      manifest.files = [...manifest.files.filter((m) => m.path !== entry.path), entry];
      // Serialised so two files finishing together cannot interleave their manifest writes.
      manifestWrite = manifestWrite.then(() => store.writeManifest(manifest));
      return manifestWrite;
    };
    const queue = [...todo];
    let failure: unknown;
    const workers = Array.from({ length: Math.min(opts.parallel ?? 3, queue.length) }, async () => {
      for (let f = queue.shift(); f && failure === undefined; f = queue.shift()) {
        try {
          const verified = await downloadFile({
            repo: ref.repo,
            revision: ref.revision,
            file: f,
            dir,
            hub,
            log,
            attempts: opts.attempts,
            retryDelayMs: opts.retryDelayMs,
            onBytes: (done) => progress.setDone(f.path, done),
            onVerifying: () => progress.maybeEmit(),
          });
          await record({ ...verified, verifiedAt: new Date().toISOString() });
        } catch (err) {
          failure ??= err;
        }
      }
    });
    await Promise.all(workers);
    await manifestWrite;
    if (failure !== undefined) throw failure;
    if (opts.signal?.aborted) throw cancelledError(`The download of ${ref.id}`);

    progress.force('verifying', `${files.length} file(s) verified`);
    if (ref.preset?.needsConversion && opts.convert && !convertedBefore) {
      const targetDir = `${dir}.onnx`;
      progress.force('converting', `converting ${ref.id} to ONNX (${dtype.dtype}: ${dtype.reason})`);
      await opts.convert({
        manifest,
        modelDir: dir,
        targetDir,
        dtype,
        signal: opts.signal,
        progress: (message) => progress.force('converting', message),
        counts: (conversion) => progress.setConversion(conversion),
      });
      manifest.convertedDir = targetDir;
      manifest.convertedDtype = dtype.dtype;
    } else if (ref.preset?.needsConversion && !convertedBefore) {
      log(`${ref.id}: this build has no DeepSeek-VL converter yet; the verified checkpoint is installed as is in ${dir}`);
    }
    manifest.complete = true;
    await store.writeManifest(manifest);
    progress.force('done', `${ref.id} is ready`);
    const bytes = files.reduce((n, f) => n + f.size, 0);
    return { id: ref.id, dir: store.runtimeDir(manifest), files: files.length, bytes, downloadedBytes: needBytes };
  } catch (err) {
    // A full disk can surface in the manifest's write as well as in a file's: whichever write comes
    // first after the disk fills, the user gets the same error.
    if ((err as NodeJS.ErrnoException | undefined)?.code === 'ENOSPC') {
      throw new ModelError('disk-full', `The disk is full while writing in ${store.root}; free some space and pull again (the download resumes)`);
    }
    throw err;
  } finally {
    await lock.release();
  }
}
