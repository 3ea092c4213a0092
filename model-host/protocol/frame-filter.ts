/**
 * Sits in front of a JSON-RPC reader (the extension reading the host's stdout, the host reading its
 * stdin). Stray text between frames (a console.log, a native library's banner) would otherwise make
 * vscode-jsonrpc's reader wait forever for a header it can never parse, or drop the frames that
 * arrived in the same chunk. This passes Content-Length frames through untouched and drops anything
 * between frames, reporting it so it can be logged.
 */
import { Transform, type TransformCallback } from 'node:stream';

const HEADER_START = /content-length:/i;
const HEADER_END = '\r\n\r\n';
// Longest prefix of "Content-Length:" that may be split across chunks.
const KEEP_TAIL = 'content-length:'.length;

/** The largest frame either side sends: a 64 MB image as base64 in JSON, with room to spare. */
export const MAX_FRAME_BYTES = 128 * 1024 * 1024;

export class FrameFilter extends Transform {
  private buffer = Buffer.alloc(0);
  /** Bytes of the current body still to pass through. */
  private bodyLeft = 0;

  constructor(
    private readonly onGarbage: (text: string) => void,
    private readonly maxContentLength = MAX_FRAME_BYTES,
    /** Called with the claimed length of a frame over the cap (dropped). */
    private readonly onOversize: (claimed: number) => void = (claimed) => onGarbage(`a frame header claiming ${claimed} bytes (over ${maxContentLength})`),
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    try {
      this.drain();
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    if (this.buffer.length > 0 && this.bodyLeft === 0) this.onGarbage(this.buffer.toString('utf8'));
    this.buffer = Buffer.alloc(0);
    callback();
  }

  private drain(): void {
    for (;;) {
      if (this.bodyLeft > 0) {
        const take = Math.min(this.bodyLeft, this.buffer.length);
        if (take === 0) return;
        this.push(this.buffer.subarray(0, take));
        this.buffer = this.buffer.subarray(take);
        this.bodyLeft -= take;
        continue;
      }
      if (this.buffer.length === 0) return;
      // Headers are ASCII; latin1 keeps byte offsets equal to string offsets.
      const text = this.buffer.toString('latin1');
      const start = text.search(HEADER_START);
      if (start < 0) {
        // No header in sight: drop all but a tail that might be the start of one.
        const cut = Math.max(0, text.length - KEEP_TAIL);
        if (cut > 0) this.dropGarbage(cut);
        return;
      }
      if (start > 0) {
        this.dropGarbage(start);
        continue;
      }
      const end = text.indexOf(HEADER_END);
      if (end < 0) {
        if (text.length > 4096) this.dropGarbage(1); // not a real header: skip past it and resync
        return;
      }
      const header = text.slice(0, end);
      const match = /content-length:\s*(\d+)/i.exec(header);
      if (!match || /[^\x20-\x7e\r\n\t]/.test(header)) {
        this.dropGarbage(1);
        continue;
      }
      const headerBytes = end + HEADER_END.length;
      const claimed = Number(match[1]);
      if (claimed > this.maxContentLength) {
        // Not framed data we will ever read whole: drop the header and resync on the next one.
        this.buffer = this.buffer.subarray(headerBytes);
        this.onOversize(claimed);
        continue;
      }
      this.push(this.buffer.subarray(0, headerBytes));
      this.buffer = this.buffer.subarray(headerBytes);
      this.bodyLeft = claimed;
    }
  }

  private dropGarbage(bytes: number): void {
    const dropped = this.buffer.subarray(0, bytes).toString('utf8');
    this.buffer = this.buffer.subarray(bytes);
    if (dropped.trim().length > 0) this.onGarbage(dropped);
  }
}
