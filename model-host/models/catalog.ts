/**
 * What `models list|verify|select` answer, shared by the CLI and the protocol handlers: presets with
 * their installed state, installed models, the recommendation, re-verification against the manifest.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ActiveModelInfo, DeviceInfo, DeviceKind, InstalledModelInfo, ModelDtypePreference, ModelsListResult } from '../protocol';
import { chooseDtype, convertedBytes, runMemoryGb } from './dtype';
import { PRESETS, findPreset, recommend } from './registry';
import { ModelStore, resolveModelDir, type ModelManifest } from './store';
import { hashFile } from './file-download';
import { ModelError } from './errors';

function installedInfo(store: ModelStore, m: ModelManifest): InstalledModelInfo {
  return { id: m.id, dir: store.runtimeDir(m), family: m.family, verifiedFiles: m.local ? 0 : m.files.length, local: m.local };
}

export function listModels(
  store: ModelStore,
  devices: DeviceInfo[],
  gpuMemoryGb?: number,
  conversion?: { device: DeviceKind; dtype?: ModelDtypePreference },
): ModelsListResult {
  const manifests = store.listManifests().filter((m) => m.complete);
  return {
    presets: PRESETS.map((p) => ({
      id: p.id,
      displayName: p.displayName,
      family: p.family,
      repo: p.repo,
      revision: p.revision,
      sizeBytes: p.sizeBytes,
      licence: p.licence,
      licenceUrl: p.licenceUrl,
      minGpuMemoryGb: p.minGpuMemoryGb,
      goodAt: p.goodAt,
      installed: manifests.some((m) => m.id === p.id),
      ...(p.conversion && conversion ? { conversion: conversionInfo(p.conversion, conversion.device, devices, conversion.dtype) } : {}),
    })),
    installed: manifests.map((m) => installedInfo(store, m)),
    recommended: recommend(devices, gpuMemoryGb, os.totalmem() / 1e9),
  };
}

function conversionInfo(c: { parameters: number; contextBytes: number }, device: DeviceKind, devices: DeviceInfo[], preference?: ModelDtypePreference) {
  const choice = chooseDtype(preference, device, devices);
  return {
    dtype: choice.dtype,
    reason: choice.reason,
    memoryGb: runMemoryGb(c.parameters, choice.dtype, c.contextBytes),
    diskBytes: Math.round(convertedBytes(c.parameters, choice.dtype)),
  };
}

/** Re-hashes every file recorded in the manifest; a registered folder is checked for presence and size. */
export async function verifyModel(store: ModelStore, id: string): Promise<{ ok: boolean; problems: string[] }> {
  const manifest = store.readManifest(id);
  if (!manifest) throw new ModelError('not-installed', `"${id}" is not installed in ${store.root}`);
  const problems: string[] = [];
  if (!manifest.complete) problems.push(`${id}: the download is incomplete; run \`models pull\` again to finish it`);
  const base = manifest.local && manifest.dir ? manifest.dir : store.modelDir(id);
  for (const f of manifest.files) {
    const p = path.join(base, f.path);
    if (!fs.existsSync(p)) {
      problems.push(`${f.path}: missing`);
      continue;
    }
    if (manifest.local) {
      const size = fs.statSync(p).size;
      if (size !== f.size) problems.push(`${f.path}: size ${size} bytes, registered with ${f.size}`);
      continue;
    }
    const got = await hashFile(p);
    if (got.size !== f.size) problems.push(`${f.path}: size ${got.size} bytes, expected ${f.size}`);
    else if (f.sha256 && got.sha256 !== f.sha256) problems.push(`${f.path}: sha256 ${got.sha256}, expected ${f.sha256}`);
    else if (f.gitSha1 && got.gitSha1 !== f.gitSha1) problems.push(`${f.path}: git sha1 ${got.gitSha1}, expected ${f.gitSha1}`);
  }
  return { ok: problems.length === 0, problems };
}

/** What `models/select` reports for an installed model id or a model folder; throws `not-installed`. */
export function describeActiveModel(store: ModelStore, idOrDir: string, device: DeviceKind): ActiveModelInfo {
  const dir = resolveModelDir(idOrDir, store.root);
  const preset = findPreset(idOrDir);
  const manifest = path.isAbsolute(idOrDir) ? undefined : store.readManifest(idOrDir);
  const dtype = convertedDtypeOf(dir);
  return { id: idOrDir, displayName: preset?.displayName ?? manifest?.repo ?? path.basename(dir), dir, device, ...(dtype ? { dtype } : {}) };
}

/** The dtype a converted DeepSeek-VL folder records in its config.json, if it is one. */
function convertedDtypeOf(dir: string): string | undefined {
  try {
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as { visual_coder?: { dtype?: unknown } };
    return typeof config.visual_coder?.dtype === 'string' ? config.visual_coder.dtype : undefined;
  } catch {
    return undefined;
  }
}
