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
  if (p.phase === 'converting') return `converting to ONNX… ${p.message ?? ''}`.trim();
  if (p.phase === 'verifying') return 'verifying…';
  if (p.phase === 'done') return 'done';
  const pct = p.totalBytes > 0 ? Math.floor((100 * p.doneBytes) / p.totalBytes) : 0;
  const parts = [`${formatBytes(p.doneBytes)} of ${formatBytes(p.totalBytes)} (${pct}%)`];
  if (p.bytesPerSecond > 0) parts.push(`${formatBytes(p.bytesPerSecond)}/s`);
  if (p.etaSeconds !== undefined) parts.push(`${formatDuration(p.etaSeconds)} left`);
  return parts.join(' · ');
}

/** Turns absolute percentages into the increments VS Code's progress API wants. */
export class ProgressIncrements {
  private reported = 0;

  next(p: ModelsProgressParams): number {
    const pct = p.phase === 'done' ? 100 : p.totalBytes > 0 ? Math.min(100, (100 * p.doneBytes) / p.totalBytes) : 0;
    const inc = Math.max(0, pct - this.reported);
    this.reported += inc;
    return inc;
  }
}
