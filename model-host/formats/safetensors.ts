/**
 * Safetensors reader: parses the JSON header, checks every tensor's byte range against the file,
 * and reads tensors one at a time by offset (never the whole file), converting F32/F16/BF16 to float32.
 *
 * Usage:
 * ```ts
 * const ckpt = openCheckpoint('/models/deepseek-vl-1.3b-chat');   // model.safetensors or sharded index
 * const info = ckpt.get('model.aligner.linear1.weight');           // { dtype, shape, file, ... }
 * const w = ckpt.readF32('model.aligner.linear1.weight');          // Float32Array
 * ```
 */
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export type SafetensorsDtype = 'F32' | 'F16' | 'BF16' | 'F64' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const BYTES: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

export interface TensorInfo {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** File the tensor lives in. */
  file: string;
  /** Absolute byte offsets in the file. */
  begin: number;
  end: number;
}

/** A checkpoint problem (bad header, truncated file, missing tensor): the message names the culprit. */
export class CheckpointError extends Error {}

/** Parses one safetensors file's header and validates every tensor's range against the file size. */
export function readSafetensorsHeader(file: string): TensorInfo[] {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size < 8) throw new CheckpointError(`${file} is not a safetensors file (only ${size} bytes); re-download it`);
    const lenBuf = Buffer.alloc(8);
    readSync(fd, lenBuf, 0, 8, 0);
    const headerLen = Number(lenBuf.readBigUInt64LE(0));
    if (headerLen > 100_000_000 || 8 + headerLen > size) {
      throw new CheckpointError(`${file}: header length ${headerLen} does not fit in the file (${size} bytes); the file is truncated or not safetensors`);
    }
    const headerBuf = Buffer.alloc(headerLen);
    readSync(fd, headerBuf, 0, headerLen, 8);
    let header: Record<string, unknown>;
    try {
      header = JSON.parse(headerBuf.toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new CheckpointError(`${file}: the safetensors header is not valid JSON; re-download the file`);
    }
    const dataStart = 8 + headerLen;
    const out: TensorInfo[] = [];
    for (const [name, raw] of Object.entries(header)) {
      if (name === '__metadata__') continue;
      const entry = raw as { dtype?: string; shape?: number[]; data_offsets?: [number, number] };
      if (!entry.dtype || !(entry.dtype in BYTES) || !Array.isArray(entry.shape) || !Array.isArray(entry.data_offsets)) {
        throw new CheckpointError(`${file}: tensor ${name} has a malformed header entry (dtype ${String(entry.dtype)})`);
      }
      const [b, e] = entry.data_offsets;
      const count = entry.shape.reduce((x, y) => x * y, 1);
      if (e - b !== count * BYTES[entry.dtype]) {
        throw new CheckpointError(
          `${file}: tensor ${name} has ${e - b} bytes but shape [${entry.shape.join(', ')}] ${entry.dtype} needs ${count * BYTES[entry.dtype]}`,
        );
      }
      if (dataStart + e > size) {
        throw new CheckpointError(`${file} is truncated: tensor ${name} ends at byte ${dataStart + e} but the file has ${size} bytes; re-download it`);
      }
      out.push({ name, dtype: entry.dtype as SafetensorsDtype, shape: entry.shape, file, begin: dataStart + b, end: dataStart + e });
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/** Reads the raw bytes of one tensor. */
export function readTensorBytes(info: TensorInfo): Uint8Array {
  const len = info.end - info.begin;
  const buf = new Uint8Array(len);
  const fd = openSync(info.file, 'r');
  try {
    let got = 0;
    while (got < len) {
      // readSync takes at most 2 GiB per call; big embedding tables are read in 1 GiB pieces.
      const n = readSync(fd, buf, got, Math.min(len - got, 1 << 30), info.begin + got);
      if (n === 0) throw new CheckpointError(`${info.file} is truncated while reading tensor ${info.name}`);
      got += n;
    }
  } finally {
    closeSync(fd);
  }
  return buf;
}

/** IEEE half → float. */
export function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/**
 * Element-wise float32 view of raw tensor bytes without widening the whole tensor (used to stream
 * huge tensors such as a 102400-row embedding table in bounded memory).
 */
export function float32Accessor(bytes: Uint8Array, dtype: SafetensorsDtype, name = 'tensor'): (i: number) => number {
  const buf = bytes.byteOffset % 8 === 0 ? bytes.buffer : new Uint8Array(bytes).buffer;
  const off = bytes.byteOffset % 8 === 0 ? bytes.byteOffset : 0;
  const count = bytes.byteLength / BYTES[dtype];
  switch (dtype) {
    case 'F32': {
      const v = new Float32Array(buf, off, count);
      return (i) => v[i];
    }
    case 'F16': {
      const v = new Uint16Array(buf, off, count);
      return (i) => f16ToF32(v[i]);
    }
    case 'BF16': {
      const v = new Uint16Array(buf, off, count);
      const u32 = new Uint32Array(1);
      const f32 = new Float32Array(u32.buffer);
      return (i) => {
        u32[0] = v[i] << 16;
        return f32[0];
      };
    }
    default:
      throw new CheckpointError(`${name} has dtype ${dtype}; only F32, F16 and BF16 weights can be converted`);
  }
}

/** Converts raw tensor bytes to float32 (F32 copied, F16/BF16/F64 widened or narrowed). */
export function toFloat32(bytes: Uint8Array, dtype: SafetensorsDtype, name = 'tensor'): Float32Array {
  const count = bytes.byteLength / BYTES[dtype];
  // Typed-array views need an aligned offset; copy only when the bytes are not aligned (or are a
  // view into a larger buffer), so a 1.6 GB embedding table is not duplicated needlessly.
  const aligned = bytes.byteOffset % 8 === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : new Uint8Array(bytes).buffer;
  switch (dtype) {
    case 'F32':
      // May share `bytes`' buffer (no copy): readF32 hands over a buffer nobody else holds.
      return new Float32Array(aligned);
    case 'F64':
      return Float32Array.from(new Float64Array(aligned));
    case 'F16': {
      const src = new Uint16Array(aligned);
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = f16ToF32(src[i]);
      return out;
    }
    case 'BF16': {
      // bf16 is the top half of a float32.
      const src = new Uint16Array(aligned);
      const u32 = new Uint32Array(count);
      for (let i = 0; i < count; i++) u32[i] = src[i] << 16;
      return new Float32Array(u32.buffer);
    }
    default:
      throw new CheckpointError(`${name} has dtype ${dtype}; only F32, F16 and BF16 weights can be converted`);
  }
}

/** How much of a checkpoint has been read: distinct tensors and their stored bytes, of the whole. */
export interface ReadProgress {
  tensorsDone: number;
  tensorsTotal: number;
  bytesDone: number;
  bytesTotal: number;
}

/** All tensors of a checkpoint folder: `model.safetensors`, a sharded index, or every `*.safetensors`. */
export class Checkpoint {
  private readonly readNames = new Set<string>();
  private bytesRead = 0;
  /** Called after each tensor's first read: a conversion reads every tensor once, so this is its progress. */
  onRead?: (progress: ReadProgress) => void;

  private constructor(
    readonly dir: string,
    private readonly tensors: Map<string, TensorInfo>,
  ) {}

  static open(dir: string): Checkpoint {
    const indexPath = join(dir, 'model.safetensors.index.json');
    let files: string[];
    if (existsSync(indexPath)) {
      let index: { weight_map?: Record<string, string> };
      try {
        index = JSON.parse(readFileSync(indexPath, 'utf8')) as typeof index;
      } catch {
        throw new CheckpointError(`${indexPath} is not valid JSON`);
      }
      if (!index.weight_map) throw new CheckpointError(`${indexPath} has no weight_map`);
      files = [...new Set(Object.values(index.weight_map))].sort();
      for (const f of files) {
        if (!existsSync(join(dir, f))) throw new CheckpointError(`shard ${f} listed in ${indexPath} is missing; download it`);
      }
    } else {
      files = readdirSync(dir)
        .filter((f) => f.endsWith('.safetensors'))
        .sort();
      if (files.length === 0) throw new CheckpointError(`no *.safetensors files in ${dir}`);
    }
    const map = new Map<string, TensorInfo>();
    for (const f of files) {
      for (const t of readSafetensorsHeader(join(dir, f))) {
        if (map.has(t.name)) throw new CheckpointError(`tensor ${t.name} appears in two files (${map.get(t.name)?.file} and ${t.file})`);
        map.set(t.name, t);
      }
    }
    return new Checkpoint(dir, map);
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  get(name: string): TensorInfo {
    const t = this.tensors.get(name);
    if (!t) throw new CheckpointError(`tensor ${name} is missing from the checkpoint in ${this.dir}`);
    return t;
  }

  names(): string[] {
    return [...this.tensors.keys()];
  }

  /** Reads one tensor's raw bytes (in its stored dtype). */
  readBytes(name: string): Uint8Array {
    const info = this.get(name);
    const bytes = readTensorBytes(info);
    this.countRead(info);
    return bytes;
  }

  /** Reads one tensor as float32. */
  readF32(name: string): Float32Array {
    const info = this.get(name);
    const values = toFloat32(readTensorBytes(info), info.dtype, name);
    this.countRead(info);
    return values;
  }

  readProgress(): ReadProgress {
    let bytesTotal = 0;
    for (const t of this.tensors.values()) bytesTotal += t.end - t.begin;
    return { tensorsDone: this.readNames.size, tensorsTotal: this.tensors.size, bytesDone: this.bytesRead, bytesTotal };
  }

  private countRead(info: TensorInfo): void {
    if (this.readNames.has(info.name)) return;
    this.readNames.add(info.name);
    this.bytesRead += info.end - info.begin;
    this.onRead?.(this.readProgress());
  }
}

/** Shorthand for `Checkpoint.open(dir)`. */
export const openCheckpoint = (dir: string): Checkpoint => Checkpoint.open(dir);
