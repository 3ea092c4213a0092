/**
 * Safetensors writer that streams: the header (every tensor's dtype, shape and byte range) is written
 * first from the tensor list, then each tensor's bytes as a generator yields them, so a multi-GB
 * checkpoint is written without holding more than one piece in memory.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { SafetensorsDtype } from './safetensors';

const BYTES: Partial<Record<SafetensorsDtype, number>> = { F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, U8: 1 };

export interface TensorToWrite {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Yields the tensor's bytes in order (little-endian), in pieces of any size. */
  bytes(): Iterable<Uint8Array>;
}

export function writeSafetensors(file: string, tensors: readonly TensorToWrite[], metadata: Record<string, string> = { format: 'pt' }): void {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    const size = t.shape.reduce((a, b) => a * b, 1) * (BYTES[t.dtype] ?? 0);
    if (!size) throw new Error(`cannot write ${t.name}: dtype ${t.dtype} or shape [${t.shape.join(', ')}] is not supported`);
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  // The header is padded with spaces to a multiple of 8 bytes, as the reference implementation does.
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const fd = openSync(file, 'w');
  try {
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(headerBytes.length));
    writeSync(fd, len);
    writeSync(fd, headerBytes);
    for (const t of tensors) {
      const expected = (header[t.name] as { data_offsets: [number, number] }).data_offsets;
      let written = 0;
      for (const piece of t.bytes()) {
        let done = 0;
        while (done < piece.length) done += writeSync(fd, piece, done, piece.length - done);
        written += piece.length;
      }
      if (written !== expected[1] - expected[0]) throw new Error(`tensor ${t.name}: wrote ${written} bytes, expected ${expected[1] - expected[0]}`);
    }
  } finally {
    closeSync(fd);
  }
}
