/**
 * Blockwise 4- and 8-bit quantization of a matrix stored row by row, in the layout ONNX Runtime's
 * `com.microsoft.MatMulNBits` (B [N, k_blocks, block_bytes]) and `GatherBlockQuantized` (data
 * [rows, K · bits / 8]) read: each row n is cut into blocks of 32 values along K; a value is
 * `(code − zero_point) · scale`; 4-bit codes go two per byte, the lower index in the low nibble;
 * zero points are packed the same way for 4 bits ([N, ceil(k_blocks / 2)]) and one per byte for 8.
 *
 * Rows are what a Hugging Face nn.Linear stores ([out, in] = [N, K]), so a checkpoint tensor is
 * quantized as it is read, without the [K, N] transpose a plain MatMul needs.
 *
 * Asymmetric per block: range [min(0, lo), max(0, hi)] so 0 stays exact, scale = range / (2^bits − 1),
 * zero point = round(−min / scale). K that is not a multiple of the block is zero-padded.
 */
import { float32ArrayToFloat16 } from './half';

export const BLOCK_SIZE = 32;
export type QuantBits = 4 | 8;

export interface BlockQuantized {
  bits: QuantBits;
  blockSize: number;
  rows: number;
  cols: number;
  kBlocks: number;
  /** [rows, kBlocks, BLOCK_SIZE · bits / 8] */
  data: Uint8Array;
  /** [rows, kBlocks] */
  scales: Float32Array;
  /** 4 bits: [rows, ceil(kBlocks / 2)] two per byte; 8 bits: [rows, kBlocks]. Absent when symmetric. */
  zeroPoints?: Uint8Array;
}

export interface QuantizeOptions {
  /** Values per block along K (a power of two ≥ 16; default 32). */
  blockSize?: number;
  /**
   * No zero points: the ops then use 2^(bits−1) and scale = max|v| / (2^(bits−1) − 1), which saves
   * their bytes and the kernels' zero-point arithmetic at some accuracy.
   */
  symmetric?: boolean;
}

export function zeroPointBytesPerRow(bits: QuantBits, kBlocks: number): number {
  return bits === 4 ? Math.ceil(kBlocks / 2) : kBlocks;
}

/**
 * Quantizes `rows` rows of `cols` values; `row(r, out)` fills `out` (length cols) with row r, so a
 * caller can stream rows from a bf16 checkpoint without widening the whole tensor.
 */
export function quantizeRows(
  rows: number,
  cols: number,
  bits: QuantBits,
  row: (r: number, out: Float32Array) => void,
  options: QuantizeOptions = {},
): BlockQuantized {
  const blockSize = options.blockSize ?? BLOCK_SIZE;
  const symmetric = options.symmetric ?? false;
  const kBlocks = Math.ceil(cols / blockSize);
  const blockBytes = (blockSize * bits) / 8;
  const levels = (1 << bits) - 1;
  const mid = 1 << (bits - 1);
  const data = new Uint8Array(rows * kBlocks * blockBytes);
  const scales = new Float32Array(rows * kBlocks);
  const zpPerRow = zeroPointBytesPerRow(bits, kBlocks);
  const zeroPoints = symmetric ? undefined : new Uint8Array(rows * zpPerRow);
  const values = new Float32Array(kBlocks * blockSize); // zero padding past cols stays 0
  const view = values.subarray(0, cols);
  for (let r = 0; r < rows; r++) {
    row(r, view);
    for (let b = 0; b < kBlocks; b++) {
      const k0 = b * blockSize;
      let lo = 0;
      let hi = 0;
      for (let k = k0; k < k0 + blockSize; k++) {
        const v = values[k];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      let scale: number;
      let zp: number;
      if (symmetric) {
        scale = Math.max(hi, -lo) / (mid - 1);
        zp = mid;
      } else {
        scale = (hi - lo) / levels;
        zp = scale === 0 ? mid : Math.min(levels, Math.max(0, Math.round(-lo / scale)));
      }
      const s = r * kBlocks + b;
      scales[s] = scale;
      if (zeroPoints) {
        if (bits === 4) zeroPoints[r * zpPerRow + (b >> 1)] |= zp << ((b & 1) * 4);
        else zeroPoints[r * zpPerRow + b] = zp;
      }
      const inv = scale === 0 ? 0 : 1 / scale;
      const base = s * blockBytes;
      for (let i = 0; i < blockSize; i++) {
        const q = scale === 0 ? zp : Math.round(values[k0 + i] * inv + zp);
        const code = q < 0 ? 0 : q > levels ? levels : q;
        if (bits === 4) data[base + (i >> 1)] |= code << ((i & 1) * 4);
        else data[base + i] = code;
      }
    }
  }
  return { bits, blockSize, rows, cols, kBlocks, data, scales, zeroPoints };
}

/** Rows of a row-major [rows, cols] array. */
export function rowsOf(w: Float32Array, cols: number): (r: number, out: Float32Array) => void {
  return (r, out) => out.set(w.subarray(r * cols, (r + 1) * cols));
}

/** Rows of the transpose of a row-major [K, N] array (a MatMul right operand): row n is column n. */
export function columnsOf(w: Float32Array, K: number, N: number): (r: number, out: Float32Array) => void {
  return (n, out) => {
    for (let k = 0; k < K; k++) out[k] = w[k * N + n];
  };
}

/** The value each code stands for, [rows, cols] (error reports and tests). */
export function dequantizeRows(q: BlockQuantized): Float32Array {
  const out = new Float32Array(q.rows * q.cols);
  const blockBytes = (q.blockSize * q.bits) / 8;
  const zpPerRow = zeroPointBytesPerRow(q.bits, q.kBlocks);
  const zps = q.zeroPoints;
  for (let r = 0; r < q.rows; r++) {
    for (let k = 0; k < q.cols; k++) {
      const b = Math.floor(k / q.blockSize);
      const i = k % q.blockSize;
      const s = r * q.kBlocks + b;
      const code = q.bits === 4 ? (q.data[s * blockBytes + (i >> 1)] >> ((i & 1) * 4)) & 15 : q.data[s * blockBytes + i];
      const zp = !zps ? 1 << (q.bits - 1) : q.bits === 4 ? (zps[r * zpPerRow + (b >> 1)] >> ((b & 1) * 4)) & 15 : zps[r * zpPerRow + b];
      out[r * q.cols + k] = (code - zp) * q.scales[s];
    }
  }
  return out;
}

/** The scales as fp16 bits, for graphs whose activations are fp16 (q4f16). */
export function scalesAsFloat16(q: BlockQuantized): Uint16Array {
  return float32ArrayToFloat16(q.scales);
}
