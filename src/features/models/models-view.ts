/**
 * What the model quick picks and the download notification say: pure functions over the host's
 * `models/list` and `models/progress`, so they are unit-tested without VS Code.
 */
import { formatBytes, type ModelPresetInfo, type ModelsListResult, type ModelsProgressParams } from '../../../model-host/protocol';

export interface ModelPickItem {
  label: string;
  description: string;
  detail: string;
  /** Preset id or installed model id; undefined for action items. */
  id?: string;
  installed: boolean;
  preset?: ModelPresetInfo;
  action?: 'register-folder';
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

/**
 * Quick pick entries: the recommended preset first (with its reason), then the other presets, then
 * installed models that are not presets, then "use a folder". `onlyMissing` drops installed presets
 * (for the download command).
 */
export function modelPickItems(list: ModelsListResult, activeId: string | undefined, onlyMissing = false): ModelPickItem[] {
  const rec = list.recommended?.id;
  const presets = [...list.presets].sort((a, b) => Number(b.id === rec) - Number(a.id === rec));
  const items: ModelPickItem[] = [];
  for (const p of presets) {
    if (onlyMissing && p.installed) continue;
    const marks = [p.id === rec ? '$(star-full) ' : '', p.id === activeId ? '$(check) ' : ''].join('');
    items.push({
      label: `${marks}${p.displayName}`,
      description: `${p.installed ? 'installed' : `not installed · about ${formatBytes(p.sizeBytes)}`} · ${
        p.conversion ? `${p.conversion.dtype} · ~${p.conversion.memoryGb} GB memory` : `≥${p.minGpuMemoryGb} GB GPU`
      }`,
      detail: [
        p.id === rec && list.recommended ? `Recommended: ${list.recommended.reason}.` : '',
        p.goodAt + '.',
        p.conversion ? `Converted to ${p.conversion.dtype} (${p.conversion.reason}).` : '',
        `Licence: ${p.licence}`,
      ]
        .filter(Boolean)
        .join(' '),
      id: p.id,
      installed: p.installed,
      preset: p,
    });
  }
  if (!onlyMissing) {
    for (const m of list.installed) {
      if (list.presets.some((p) => p.id === m.id)) continue;
      items.push({
        label: `${m.id === activeId ? '$(check) ' : ''}${m.id}`,
        description: m.local ? 'your folder' : `installed · ${m.verifiedFiles} verified files`,
        detail: m.dir,
        id: m.id,
        installed: true,
      });
    }
    items.push({
      label: '$(folder-opened) Use a model folder you already have…',
      description: '',
      detail: 'Registers the folder; nothing is copied',
      installed: false,
      action: 'register-folder',
    });
  }
  return items;
}

/** The download notification's line: bytes, percentage, rate and time left, or what phase it is in. */
export function progressMessage(p: ModelsProgressParams): string {
  if (p.phase === 'listing') return p.message ?? 'listing files…';
  if (p.phase === 'converting') return conversionMessage(p);
  if (p.phase === 'verifying') return 'verifying…';
  if (p.phase === 'done') return 'done';
  const pct = p.totalBytes > 0 ? Math.floor((100 * p.doneBytes) / p.totalBytes) : 0;
  const parts = [`${formatBytes(p.doneBytes)} of ${formatBytes(p.totalBytes)} (${pct}%)`];
  if (p.bytesPerSecond > 0) parts.push(`${formatBytes(p.bytesPerSecond)}/s`);
  if (p.etaSeconds !== undefined) parts.push(`${formatDuration(p.etaSeconds)} left`);
  return parts.join(' · ');
}

/** `converting to ONNX: 120 of 339 tensors, 1.2 GB of 2.9 GB (41%) · 40 s left`, or the converter's own line before its first count. */
function conversionMessage(p: ModelsProgressParams): string {
  const c = p.conversion;
  if (!c) return `converting to ONNX… ${p.message ?? ''}`.trim();
  const pct = c.bytesTotal > 0 ? Math.floor((100 * c.bytesDone) / c.bytesTotal) : 0;
  const parts = [`converting to ONNX: ${c.tensorsDone} of ${c.tensorsTotal} tensors, ${formatBytes(c.bytesDone)} of ${formatBytes(c.bytesTotal)} (${pct}%)`];
  if (p.etaSeconds !== undefined) parts.push(`${formatDuration(p.etaSeconds)} left`);
  return parts.join(' · ');
}

/** Share of the bar the download takes when a conversion follows it (a 1.3B converts in about a minute on two cores). */
const DOWNLOAD_SHARE_BEFORE_CONVERSION = 0.7;

/** Where the whole pull stands, 0–100: the download, then the conversion in the rest of the bar. */
function overallPercent(p: ModelsProgressParams): number {
  if (p.phase === 'done') return 100;
  const fraction = (done: number, total: number) => (total > 0 ? Math.min(1, done / total) : 0);
  if (!p.convertsAfterDownload) return 100 * fraction(p.doneBytes, p.totalBytes);
  if (p.phase !== 'converting') return 100 * DOWNLOAD_SHARE_BEFORE_CONVERSION * fraction(p.doneBytes, p.totalBytes);
  const converted = p.conversion ? fraction(p.conversion.bytesDone, p.conversion.bytesTotal) : 0;
  return 100 * (DOWNLOAD_SHARE_BEFORE_CONVERSION + (1 - DOWNLOAD_SHARE_BEFORE_CONVERSION) * converted);
}

/** Turns absolute percentages into the increments VS Code's progress API wants. */
export class ProgressIncrements {
  private reported = 0;

  next(p: ModelsProgressParams): number {
    const pct = overallPercent(p);
    const inc = Math.max(0, pct - this.reported);
    this.reported += inc;
    return inc;
  }
}
