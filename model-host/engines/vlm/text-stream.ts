/**
 * Turns a growing list of token ids into text deltas: decodes the whole generated sequence each
 * step (byte-level BPE tokens may hold half a UTF-8 character) and only releases text that is
 * complete — no trailing U+FFFD from a split character, and nothing that could still become the
 * beginning of a stop string.
 */
export class TextStream {
  private emitted = 0;
  private text = '';
  /** Set once a stop string appears; the text is cut just before it. */
  stopped = false;

  constructor(private readonly decode: (ids: number[]) => string, private readonly stops: string[] = []) {}

  /** Call after each new token with all generated ids; returns the new text to show (may be ''). */
  push(ids: number[]): string {
    this.text = this.decode(ids);
    for (const stop of this.stops) {
      const at = stop ? this.text.indexOf(stop) : -1;
      if (at >= 0) {
        this.text = this.text.slice(0, at);
        this.stopped = true;
      }
    }
    let end = this.text.length;
    if (!this.stopped) {
      while (end > this.emitted && this.text.charCodeAt(end - 1) === 0xfffd) end--;
      end = Math.min(end, this.text.length - this.partialStopLength());
    }
    if (end <= this.emitted) return '';
    const delta = this.text.slice(this.emitted, end);
    this.emitted = end;
    return delta;
  }

  /** Whatever is still held back at the end of generation. */
  flush(): string {
    const delta = this.text.slice(this.emitted);
    this.emitted = this.text.length;
    return delta;
  }

  get fullText(): string {
    return this.text;
  }

  /** Length of the longest suffix of the text that is a proper prefix of some stop string. */
  private partialStopLength(): number {
    let best = 0;
    for (const stop of this.stops) {
      for (let n = Math.min(stop.length - 1, this.text.length); n > best; n--) {
        if (this.text.endsWith(stop.slice(0, n))) {
          best = n;
          break;
        }
      }
    }
    return best;
  }
}
