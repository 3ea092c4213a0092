/**
 * Turns a growing list of token ids into text deltas and only releases text that is complete — no
 * trailing U+FFFD from a split character (byte-level BPE tokens may hold half a UTF-8 character),
 * and nothing that could still become the beginning of a stop string.
 *
 * Each step decodes only a short window of recent tokens, not the whole answer: decoding everything
 * every step would make a long answer (an HTML page is thousands of tokens) quadratic in the token
 * loop. The window starts one settled token back, so tokenizers that render a token differently at
 * the start of a sequence (a SentencePiece leading space) still give the right text: the new text
 * is what decoding the window adds beyond decoding its settled part.
 */
export class TextStream {
  private emitted = 0;
  private text = '';
  /** Token index where the decoding window starts. */
  private prefixOffset = 0;
  /** Token index up to which the text is settled (appended to `text`). */
  private readOffset = 0;
  private lastIds: number[] = [];
  private readonly longestStop: number;
  /** Set once a stop string appears; the text is cut just before it. */
  stopped = false;

  constructor(
    private readonly decode: (ids: number[]) => string,
    private readonly stops: string[] = [],
  ) {
    this.longestStop = Math.max(0, ...stops.map((s) => s.length));
  }

  /** Call after each new token with all generated ids; returns the new text to show (may be ''). */
  push(ids: number[]): string {
    this.lastIds = ids;
    const before = this.text.length;
    this.settle(ids, false);
    this.cutAtStop(before);
    let end = this.text.length;
    if (!this.stopped) end = Math.min(end, this.text.length - this.partialStopLength());
    if (end <= this.emitted) return '';
    const delta = this.text.slice(this.emitted, end);
    this.emitted = end;
    return delta;
  }

  /** Whatever is still held back at the end of generation (an unfinished character included). */
  flush(): string {
    if (!this.stopped) {
      const before = this.text.length;
      this.settle(this.lastIds, true);
      this.cutAtStop(before);
    }
    const delta = this.text.slice(this.emitted);
    this.emitted = this.text.length;
    return delta;
  }

  get fullText(): string {
    return this.text;
  }

  /** Appends what the tokens after `readOffset` add, once they end on a whole character (or at the end). */
  private settle(ids: number[], final: boolean): void {
    if (this.stopped || ids.length <= this.readOffset) return;
    // Some tokenizers refuse to decode an empty list.
    const settled = this.readOffset > this.prefixOffset ? this.decode(ids.slice(this.prefixOffset, this.readOffset)) : '';
    const window = this.decode(ids.slice(this.prefixOffset));
    if (window.length <= settled.length || (!final && window.endsWith('\ufffd'))) return;
    this.text += window.slice(settled.length);
    this.prefixOffset = this.readOffset;
    this.readOffset = ids.length;
  }

  /** Cuts the text before the first stop string; only the newly added part (and its overlap) is searched. */
  private cutAtStop(previousLength: number): void {
    const from = Math.max(0, previousLength - this.longestStop + 1);
    for (const stop of this.stops) {
      const at = stop ? this.text.indexOf(stop, from) : -1;
      if (at >= 0) {
        this.text = this.text.slice(0, at);
        this.stopped = true;
      }
    }
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
