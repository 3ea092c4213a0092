/**
 * The line a `model-host convert --progress-json` child writes to stderr while it reads the
 * checkpoint, and its parser on the pulling side: how many tensors and bytes are done of the total.
 */
import type { ConversionProgress } from '../protocol';

export const CONVERT_PROGRESS_PREFIX = 'progress ';

/** The counts in a progress line, or undefined for any other line (or a malformed one: the child's log is not trusted to be ours). */
export function parseConversionProgress(line: string): ConversionProgress | undefined {
  if (!line.startsWith(CONVERT_PROGRESS_PREFIX)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line.slice(CONVERT_PROGRESS_PREFIX.length));
  } catch {
    return undefined;
  }
  const v = value as Record<string, unknown>;
  const keys = ['tensorsDone', 'tensorsTotal', 'bytesDone', 'bytesTotal'] as const;
  if (!v || typeof v !== 'object' || !keys.every((k) => Number.isSafeInteger(v[k]) && (v[k] as number) >= 0)) return undefined;
  const p = { tensorsDone: v.tensorsDone, tensorsTotal: v.tensorsTotal, bytesDone: v.bytesDone, bytesTotal: v.bytesTotal } as ConversionProgress;
  return p.tensorsDone <= p.tensorsTotal && p.bytesDone <= p.bytesTotal ? p : undefined;
}
