/**
 * float32 → IEEE half conversion without allocating per value. The first version built two typed
 * arrays for every number, and `convert --dtype fp16` of the real 1.3B (1.7 G values) had not finished
 * after 15 minutes; one scratch pair reused here makes it a pass over the weights like any other.
 *
 * Round to nearest even; values beyond ±65504 clamp to the largest finite half (not ±Inf), because
 * 0 · Inf = NaN would poison masked attention; NaN stays NaN.
 */
export const F16_MAX = 65504;

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/** Half bits of the float32 bit pattern `x` (already clamped). */
function bitsToHalf(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7bff;
  if (e <= 0) {
    if (e < -10) return sign; // underflows to ±0
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  // Rounding up into the exponent field past 0x7bff would be Inf: stay at the largest finite value.
  if ((half & 0x7c00) === 0x7c00) half = 0x7bff;
  return sign | half;
}

/** IEEE half bits of one value. */
export function float32ToFloat16Bits(value: number): number {
  scratchF32[0] = value > F16_MAX ? F16_MAX : value < -F16_MAX ? -F16_MAX : value;
  return bitsToHalf(scratchU32[0]);
}

/** Half bits of every value of `src` (into `out` when given). */
export function float32ArrayToFloat16(src: Float32Array, out = new Uint16Array(src.length)): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i];
    out[i] = v > F16_MAX || v < -F16_MAX ? float32ToFloat16Bits(v) : bitsToHalf(bits[i]);
  }
  return out;
}

/** float32 value of half bits (for tests and the q4f16 scales' error report). */
export function float16BitsToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}
