/** Minimal `.npy` (NumPy v1/v2/v3) reader and writer for float32/int64 arrays, for parity tests and the CLI. */
import { readFileSync, writeFileSync } from 'node:fs';

export interface NpyArray {
  shape: number[];
  data: Float32Array | BigInt64Array | Int32Array;
}

export function parseNpy(buf: Buffer, source = 'npy'): NpyArray {
  if (buf.length < 10 || buf.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(`${source} is not a .npy file`);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const headerStart = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', headerStart, headerStart + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeText === undefined) throw new Error(`${source}: unreadable .npy header`);
  if (fortran) throw new Error(`${source}: Fortran-ordered arrays are not supported; save with np.ascontiguousarray`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const start = headerStart + headerLen;
  const body = new Uint8Array(buf.subarray(start)).buffer; // aligned copy
  switch (descr) {
    case '<f4':
      return { shape, data: new Float32Array(body) };
    case '<f8':
      return { shape, data: Float32Array.from(new Float64Array(body)) };
    case '<i8':
      return { shape, data: new BigInt64Array(body) };
    case '<i4':
      return { shape, data: new Int32Array(body) };
    default:
      throw new Error(`${source}: dtype ${descr} is not supported (use float32, float64, int32 or int64)`);
  }
}

export function readNpy(path: string): NpyArray {
  return parseNpy(readFileSync(path), path);
}

/** Writes a float32 array as `.npy` v1. */
export function writeNpyF32(path: string, data: Float32Array, shape: number[]): void {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  writeFileSync(path, Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}
