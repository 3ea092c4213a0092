/**
 * Byte counters of a pull turned into progress reports: per file and overall, with a rate over the
 * last few seconds and an ETA. Reports are throttled so a fast loopback download does not flood the
 * protocol with notifications.
 */
import type { ConversionProgress, FileProgress, ModelsProgressParams } from '../protocol';

const WINDOW_MS = 5000;

export class PullProgress {
  private readonly files = new Map<string, FileProgress>();
  private samples: { t: number; bytes: number }[] = [];
  private lastEmit = 0;
  phase: ModelsProgressParams['phase'] = 'listing';
  message?: string;
  convertsAfterDownload = false;
  private conversion?: ConversionProgress;

  constructor(
    private readonly id: string,
    private readonly emit: (p: ModelsProgressParams) => void,
    private readonly intervalMs = 250,
    private readonly now: () => number = () => Date.now(),
  ) {}

  addFile(path: string, totalBytes: number, doneBytes: number): void {
    this.files.set(path, { path, totalBytes, doneBytes });
  }

  /** Sets how many bytes of a file are on disk (after a resume or a restart of that file too). */
  setDone(path: string, doneBytes: number): void {
    const f = this.files.get(path);
    if (f) f.doneBytes = doneBytes;
    this.maybeEmit();
  }

  get doneBytes(): number {
    let n = 0;
    for (const f of this.files.values()) n += f.doneBytes;
    return n;
  }

  get totalBytes(): number {
    let n = 0;
    for (const f of this.files.values()) n += f.totalBytes;
    return n;
  }

  /** The converter's counts: from here on the rate and time left are the conversion's. */
  setConversion(conversion: ConversionProgress): void {
    if (!this.conversion) this.samples = [];
    this.conversion = { ...conversion };
    // The last count always goes out: a bar left at 1 of 72 tensors looks like a hang.
    if (conversion.tensorsDone === conversion.tensorsTotal) this.force();
    else this.maybeEmit();
  }

  /** Bytes done and in all of what runs now: the download, or the conversion once it has started. */
  private counts(): { done: number; total: number } {
    return this.conversion ? { done: this.conversion.bytesDone, total: this.conversion.bytesTotal } : { done: this.doneBytes, total: this.totalBytes };
  }

  bytesPerSecond(): number {
    const t = this.now();
    const { done } = this.counts();
    this.samples.push({ t, bytes: done });
    while (this.samples.length > 2 && t - this.samples[0].t > WINDOW_MS) this.samples.shift();
    const first = this.samples[0];
    const dt = (t - first.t) / 1000;
    return dt > 0 ? Math.max(0, (done - first.bytes) / dt) : 0;
  }

  snapshot(): ModelsProgressParams {
    const rate = this.bytesPerSecond();
    const { done, total } = this.counts();
    const left = total - done;
    return {
      id: this.id,
      phase: this.phase,
      doneBytes: done,
      totalBytes: total,
      bytesPerSecond: Math.round(rate),
      etaSeconds: rate > 0 ? Math.ceil(left / rate) : undefined,
      // Only files still moving, to keep notifications small for repos with many files.
      files: [...this.files.values()].filter((f) => f.doneBytes < f.totalBytes).map((f) => ({ ...f })),
      message: this.message,
      ...(this.convertsAfterDownload ? { convertsAfterDownload: true } : {}),
      ...(this.conversion ? { conversion: { ...this.conversion } } : {}),
    };
  }

  maybeEmit(): void {
    const t = this.now();
    if (t - this.lastEmit < this.intervalMs) return;
    this.force();
  }

  force(phase?: ModelsProgressParams['phase'], message?: string): void {
    if (phase) this.phase = phase;
    if (message !== undefined) this.message = message;
    this.lastEmit = this.now();
    this.emit(this.snapshot());
  }
}
