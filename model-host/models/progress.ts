/**
 * Byte counters of a pull turned into progress reports: per file and overall, with a rate over the
 * last few seconds and an ETA. Reports are throttled so a fast loopback download does not flood the
 * protocol with notifications.
 */
import type { FileProgress, ModelsProgressParams } from '../protocol';

const WINDOW_MS = 5000;

export class PullProgress {
  private readonly files = new Map<string, FileProgress>();
  private samples: { t: number; bytes: number }[] = [];
  private lastEmit = 0;
  phase: ModelsProgressParams['phase'] = 'listing';
  message?: string;

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

  bytesPerSecond(): number {
    const t = this.now();
    this.samples.push({ t, bytes: this.doneBytes });
    while (this.samples.length > 2 && t - this.samples[0].t > WINDOW_MS) this.samples.shift();
    const first = this.samples[0];
    const dt = (t - first.t) / 1000;
    return dt > 0 ? Math.max(0, (this.doneBytes - first.bytes) / dt) : 0;
  }

  snapshot(): ModelsProgressParams {
    const rate = this.bytesPerSecond();
    const left = this.totalBytes - this.doneBytes;
    return {
      id: this.id,
      phase: this.phase,
      doneBytes: this.doneBytes,
      totalBytes: this.totalBytes,
      bytesPerSecond: Math.round(rate),
      etaSeconds: rate > 0 ? Math.ceil(left / rate) : undefined,
      // Only files still moving, to keep notifications small for repos with many files.
      files: [...this.files.values()].filter((f) => f.doneBytes < f.totalBytes).map((f) => ({ ...f })),
      message: this.message,
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
