/**
 * Incremental Server-Sent Events parser (the WHATWG `text/event-stream` rules) for streamed chat
 * completions. Network chunks may split anywhere: inside a line, between `\r` and `\n`, or inside a
 * multi-byte UTF-8 character, so bytes are decoded in streaming mode and only complete lines are
 * interpreted. Comment lines (`: keep-alive`) are skipped; `data:` lines of one event are joined
 * with `\n`; an event is dispatched on the blank line that ends it.
 */

export interface SseEvent {
  /** The `event:` field; absent means the default `message` type. */
  event?: string;
  data: string;
  id?: string;
}

export class SseParser {
  private readonly decoder = new TextDecoder('utf-8');
  private pending = '';
  private dataLines: string[] = [];
  private eventType: string | undefined;
  private lastId: string | undefined;
  private started = false;

  /** Feeds bytes (or already decoded text); returns the events completed by them, in order. */
  push(chunk: Uint8Array | string): SseEvent[] {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    return this.drainLines(false);
  }

  /**
   * Ends the stream. Per the standard an event without its terminating blank line is dropped; the
   * result says whether such unfinished data was left, so a caller can tell a cut stream.
   */
  end(): { events: SseEvent[]; unterminated: boolean } {
    this.pending += this.decoder.decode();
    const events = this.drainLines(true);
    const unterminated = this.dataLines.length > 0 || this.pending.length > 0;
    this.pending = '';
    this.dataLines = [];
    this.eventType = undefined;
    return { events, unterminated };
  }

  private drainLines(atEnd: boolean): SseEvent[] {
    const events: SseEvent[] = [];
    let start = 0;
    for (;;) {
      let i = start;
      while (i < this.pending.length && this.pending[i] !== '\n' && this.pending[i] !== '\r') i++;
      if (i >= this.pending.length) break;
      // A `\r` at the very end may be the first half of `\r\n`: wait for the next chunk to know.
      if (this.pending[i] === '\r' && i === this.pending.length - 1 && !atEnd) break;
      const line = this.pending.slice(start, i);
      start = this.pending[i] === '\r' && this.pending[i + 1] === '\n' ? i + 2 : i + 1;
      const event = this.processLine(line);
      if (event) events.push(event);
    }
    this.pending = this.pending.slice(start);
    return events;
  }

  private processLine(rawLine: string): SseEvent | undefined {
    let line = rawLine;
    if (!this.started) {
      this.started = true;
      // A byte-order mark before the first line is ignored.
      if (line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    }
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.dataLines.push(value);
        break;
      case 'event':
        this.eventType = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastId = value;
        break;
      default:
        // `retry` and unknown fields do not matter for a single request's stream.
        break;
    }
    return undefined;
  }

  private dispatch(): SseEvent | undefined {
    const dataLines = this.dataLines;
    const eventType = this.eventType;
    this.dataLines = [];
    this.eventType = undefined;
    if (dataLines.length === 0) return undefined;
    const event: SseEvent = { data: dataLines.join('\n') };
    if (eventType) event.event = eventType;
    if (this.lastId !== undefined) event.id = this.lastId;
    return event;
  }
}
