/**
 * What the model quick picks and the download notification say: pure functions over the host's
 * `models/list` and `models/progress`, so they are unit-tested without VS Code.
 */
import { formatBytes, type ModelPresetInfo, type ModelsListResult, type ModelsProgressParams } from '../../../model-host/protocol';
import { t } from '../../l10n';

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
  if (seconds < 60) return t('{0} s', Math.max(0, Math.round(seconds)));
  if (seconds < 3600) return t('{0} min {1} s', Math.floor(seconds / 60), Math.round(seconds % 60));
  return t('{0} h {1} min', Math.floor(seconds / 3600), Math.round((seconds % 3600) / 60));
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
      description: [
        p.installed ? t('installed') : t('not installed · about {0}', formatBytes(p.sizeBytes)),
        p.conversion ? t('{0} · ~{1} GB memory', p.conversion.dtype, p.conversion.memoryGb) : t('≥{0} GB GPU', p.minGpuMemoryGb),
      ].join(' · '),
      detail: [
        p.id === rec && list.recommended ? t('Recommended: {0}.', list.recommended.reason) : '',
        p.goodAt + '.',
        p.conversion ? t('Converted to {0} ({1}).', p.conversion.dtype, p.conversion.reason) : '',
        t('Licence: {0}', p.licence),
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
        description: m.local ? t('your folder') : t('installed · {0} verified files', m.verifiedFiles),
        detail: m.dir,
        id: m.id,
        installed: true,
      });
    }
    items.push({
      label: t('$(folder-opened) Use a model folder you already have…'),
      description: '',
      detail: t('Registers the folder; nothing is copied'),
      installed: false,
      action: 'register-folder',
    });
  }
  return items;
}

/** The download notification's line: bytes, percentage, rate and time left, or what phase it is in. */
export function progressMessage(p: ModelsProgressParams): string {
  if (p.phase === 'listing') return p.message ?? t('listing files…');
  if (p.phase === 'converting') return conversionMessage(p);
  if (p.phase === 'verifying') return t('verifying…');
  if (p.phase === 'done') return t('done');
  const pct = p.totalBytes > 0 ? Math.floor((100 * p.doneBytes) / p.totalBytes) : 0;
  const parts = [t('{0} of {1} ({2}%)', formatBytes(p.doneBytes), formatBytes(p.totalBytes), pct)];
  if (p.bytesPerSecond > 0) parts.push(`${formatBytes(p.bytesPerSecond)}/s`);
  if (p.etaSeconds !== undefined) parts.push(t('{0} left', formatDuration(p.etaSeconds)));
  return parts.join(' · ');
}

/** `converting to ONNX: 120 of 339 tensors, 1.2 GB of 2.9 GB (41%) · 40 s left`, or the converter's own line before its first count. */
function conversionMessage(p: ModelsProgressParams): string {
  const c = p.conversion;
  if (!c) return `${t('converting to ONNX…')} ${p.message ?? ''}`.trim();
  const pct = c.bytesTotal > 0 ? Math.floor((100 * c.bytesDone) / c.bytesTotal) : 0;
  const parts = [
    t('converting to ONNX: {0} of {1} tensors, {2} of {3} ({4}%)', c.tensorsDone, c.tensorsTotal, formatBytes(c.bytesDone), formatBytes(c.bytesTotal), pct),
  ];
  if (p.etaSeconds !== undefined) parts.push(t('{0} left', formatDuration(p.etaSeconds)));
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
