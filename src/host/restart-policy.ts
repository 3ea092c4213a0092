/**
 * When to restart a crashed model host, and when to stop trying. Pure: the caller passes the time,
 * so the "N crashes within a window" rule is testable without waiting a minute.
 */

export interface RestartPolicyOptions {
  /** Crashes tolerated within `windowMs`; the next one gives up. Default 3 (the 4th crash gives up). */
  maxCrashes?: number;
  windowMs?: number;
  /** Delay before the 1st, 2nd, 3rd… restart within the window; the last entry repeats. */
  delaysMs?: number[];
}

export type CrashDecision = { action: 'restart'; delayMs: number; crashesInWindow: number } | { action: 'give-up'; crashesInWindow: number };

// The first restart is fast so a single crash costs the user well under 3 s; later ones back off.
const DEFAULT_DELAYS_MS = [200, 1_000, 2_000];

export class RestartPolicy {
  private crashes: number[] = [];
  readonly maxCrashes: number;
  readonly windowMs: number;
  private readonly delaysMs: number[];

  constructor(options: RestartPolicyOptions = {}) {
    this.maxCrashes = options.maxCrashes ?? 3;
    this.windowMs = options.windowMs ?? 60_000;
    this.delaysMs = options.delaysMs && options.delaysMs.length > 0 ? options.delaysMs : DEFAULT_DELAYS_MS;
  }

  /** Records a crash at `now` (ms) and says what to do about it. */
  recordCrash(now: number): CrashDecision {
    this.crashes = this.crashes.filter((t) => now - t < this.windowMs);
    this.crashes.push(now);
    const n = this.crashes.length;
    if (n > this.maxCrashes) return { action: 'give-up', crashesInWindow: n };
    return { action: 'restart', delayMs: this.delaysMs[Math.min(n - 1, this.delaysMs.length - 1)], crashesInWindow: n };
  }

  /** Forgets past crashes (the user asked for a restart). */
  reset(): void {
    this.crashes = [];
  }
}
