/**
 * The offline model store: one folder per model under a root, in the hub's own relative layout,
 * each with a manifest that records what was verified. Folders the user already has can be
 * registered; their manifest then points at the folder instead of holding the files.
 *
 * Root: `--store DIR` | `VISUAL_CODER_MODELS` | (extension) `visualCoder.modelsDir` or the
 * extension's global storage, passed to the host in `host/initialize`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ModelError } from './errors';
import { lockHolder } from './pull-lock';

export const MANIFEST_NAME = 'visual-coder-manifest.json';

export interface ManifestFile {
  path: string;
  size: number;
  sha256?: string;
  gitSha1?: string;
  /** ISO time the size and checksum were verified. */
  verifiedAt: string;
}

export interface ModelManifest {
  version: 1;
  id: string;
  family: string;
  repo?: string;
  revision?: string;
  /** True for a registered folder of the user's; `dir` is then that folder. */
  local: boolean;
  dir?: string;
  /** True once every file of the pull was verified (and converted, where needed). */
  complete: boolean;
  files: ManifestFile[];
  /** Sibling folder with the ONNX graphs converted from a checkpoint (DeepSeek-VL). */
  convertedDir?: string;
  /** The dtype `convertedDir` was converted to (absent: fp32, before dtypes were chosen). */
  convertedDtype?: string;
  updatedAt: string;
}

/** The root when no `--store` is given: `VISUAL_CODER_MODELS`, else a cache folder of the user's. */
export function defaultStoreRoot(env: Record<string, string | undefined> = process.env): string {
  if (env.VISUAL_CODER_MODELS) return path.resolve(env.VISUAL_CODER_MODELS);
  const cache = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cache, 'visual-coder', 'models');
}

export function storeRootFrom(flagValue: string | undefined, env: Record<string, string | undefined> = process.env): string {
  return flagValue ? path.resolve(flagValue) : defaultStoreRoot(env);
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]*$/;

export class ModelStore {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  static checkId(id: string): void {
    if (!ID_PATTERN.test(id) || id.includes('..')) {
      throw new ModelError('bad-input', `"${id}" is not a valid model id (letters, digits, . _ - @; no slashes)`);
    }
  }

  modelDir(id: string): string {
    ModelStore.checkId(id);
    return path.join(this.root, id);
  }

  manifestPath(id: string): string {
    return path.join(this.modelDir(id), MANIFEST_NAME);
  }

  lockPath(id: string): string {
    ModelStore.checkId(id);
    return path.join(this.root, '.locks', `${id}.lock`);
  }

  readManifest(id: string): ModelManifest | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.manifestPath(id), 'utf8');
    } catch {
      return undefined;
    }
    try {
      return JSON.parse(text) as ModelManifest;
    } catch {
      throw new ModelError('bad-input', `The manifest ${this.manifestPath(id)} is not valid JSON; remove the model (models remove ${id}) and pull it again`);
    }
  }

  /** Writes the manifest atomically (temp file + rename), so a crash never leaves half a manifest. */
  async writeManifest(manifest: ModelManifest): Promise<void> {
    const target = this.manifestPath(manifest.id);
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    const tmp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await fs.promises.writeFile(tmp, JSON.stringify({ ...manifest, updatedAt: new Date().toISOString() }, null, 2));
    await fs.promises.rename(tmp, target);
  }

  /** Every model with a manifest, complete or not. */
  listManifests(): ModelManifest[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.root);
    } catch {
      return [];
    }
    const out: ModelManifest[] = [];
    for (const name of names.sort()) {
      if (!ID_PATTERN.test(name)) continue;
      try {
        const m = this.readManifest(name);
        if (m) out.push(m);
      } catch {
        // A broken manifest is reported by `verify`; listing carries on with the others.
      }
    }
    return out;
  }

  /** The folder a runtime loads the model from: the converted graphs, the registered folder, or the download. */
  runtimeDir(manifest: ModelManifest): string {
    if (manifest.local && manifest.dir) return manifest.dir;
    if (manifest.convertedDir) return manifest.convertedDir;
    return this.modelDir(manifest.id);
  }

  /** Registers a folder the user already has (it must hold a `config.json` or ONNX graphs). */
  async register(dir: string, id?: string, family?: string): Promise<ModelManifest> {
    const abs = path.resolve(dir);
    let entries: string[];
    try {
      entries = await fs.promises.readdir(abs, { recursive: true });
    } catch {
      throw new ModelError('bad-input', `Cannot register ${abs}: the folder does not exist or cannot be read`);
    }
    const files = entries.filter((e) => fs.statSync(path.join(abs, e)).isFile());
    if (!files.includes('config.json') && !files.some((f) => f.endsWith('.onnx'))) {
      throw new ModelError('bad-input', `Cannot register ${abs}: it has no config.json and no .onnx file, so it is not a model folder`);
    }
    const modelId = id ?? path.basename(abs).replace(/[^A-Za-z0-9._@-]/g, '-');
    ModelStore.checkId(modelId);
    const existing = this.readManifest(modelId);
    if (existing && !existing.local) {
      throw new ModelError('bad-input', `The id "${modelId}" is already used by a downloaded model; pass another id`);
    }
    const now = new Date().toISOString();
    let detectedFamily = family ?? 'unknown';
    try {
      const config = JSON.parse(fs.readFileSync(path.join(abs, 'config.json'), 'utf8')) as { model_type?: string };
      if (!family && config.model_type) detectedFamily = config.model_type;
    } catch {
      // No readable config.json: an ONNX-only folder; family stays as given.
    }
    const manifest: ModelManifest = {
      version: 1,
      id: modelId,
      family: detectedFamily,
      local: true,
      dir: abs,
      complete: true,
      // Sizes only: hashing a folder of many GB at registration would take minutes.
      files: files.map((f) => ({ path: f.split(path.sep).join('/'), size: fs.statSync(path.join(abs, f)).size, verifiedAt: now })),
      updatedAt: now,
    };
    await this.writeManifest(manifest);
    return manifest;
  }

  /** Deletes a model's folder (for a registered folder: only the registration). */
  async remove(id: string): Promise<boolean> {
    const manifest = this.readManifest(id);
    const dir = this.modelDir(id);
    if (!manifest && !fs.existsSync(dir)) return false;
    const holder = lockHolder(this.lockPath(id));
    if (holder) {
      throw new ModelError('busy', `${id} is being downloaded right now by process ${holder.pid}; cancel that pull first`);
    }
    if (manifest?.convertedDir && path.dirname(manifest.convertedDir) === this.root) {
      await fs.promises.rm(manifest.convertedDir, { recursive: true, force: true });
    }
    await fs.promises.rm(dir, { recursive: true, force: true });
    return true;
  }
}

/**
 * Resolves what `visualCoder.model` / `--model` names to the folder to load: an absolute folder as
 * is, otherwise an installed model id in the store. Throws `not-installed` with what to do.
 */
export function resolveModelDir(idOrAbsDir: string, storeDir: string): string {
  if (path.isAbsolute(idOrAbsDir)) {
    if (!fs.existsSync(idOrAbsDir)) throw new ModelError('not-installed', `The model folder ${idOrAbsDir} does not exist`);
    return idOrAbsDir;
  }
  const store = new ModelStore(storeDir);
  const manifest = store.readManifest(idOrAbsDir);
  if (!manifest || !manifest.complete) {
    throw new ModelError(
      'not-installed',
      `The model "${idOrAbsDir}" is not installed in ${store.root}; download it with "Visual Coder: Download Model" or \`model-host models pull ${idOrAbsDir}\``,
    );
  }
  return store.runtimeDir(manifest);
}

/**
 * For an empty `visualCoder.model`: the installed model to use, the first of `preferred` (e.g. the
 * recommendation, then the preset order) that is completely installed, else the first installed one.
 */
export function defaultInstalledModel(storeDir: string, preferred: readonly string[] = []): string | undefined {
  const installed = new ModelStore(storeDir)
    .listManifests()
    .filter((m) => m.complete)
    .map((m) => m.id);
  return preferred.find((id) => installed.includes(id)) ?? installed[0];
}
