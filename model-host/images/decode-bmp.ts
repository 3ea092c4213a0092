/**
 * A small BMP decoder: sharp's prebuilt libvips has no BMP loader, and screenshots saved by
 * Windows tools are often BMP. Handles the layouts those tools write: BITMAPINFOHEADER and later,
 * 1/4/8-bit paletted, 16-bit (5-5-5 or bitfields), 24-bit and 32-bit (plain or bitfields),
 * uncompressed, bottom-up or top-down. RLE-compressed BMPs are refused with a clear reason.
 */

export interface RawRgba {
  data: Buffer;
  width: number;
  height: number;
}

export class BmpError extends Error {}

export function isBmp(bytes: Buffer): boolean {
  return bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d;
}

const BI_RGB = 0;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;

/** Where a bit mask starts and how wide it is, to scale its value to 0..255. */
function maskShape(mask: number): { shift: number; bits: number } {
  if (mask === 0) return { shift: 0, bits: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  let bits = 0;
  while (((mask >>> (shift + bits)) & 1) === 1) bits++;
  return { shift, bits };
}

function channel(value: number, shape: { shift: number; bits: number }, fallback: number): number {
  if (shape.bits === 0) return fallback;
  const v = (value >>> shape.shift) & ((1 << shape.bits) - 1);
  return Math.round((v * 255) / ((1 << shape.bits) - 1));
}

/** Decodes a BMP to RGBA; `maxPixels` is checked before any pixel buffer is allocated. */
export function decodeBmp(bytes: Buffer, maxPixels: number): RawRgba {
  if (bytes.length < 54 || !isBmp(bytes)) throw new BmpError('the file is too short to be a BMP');
  const dataOffset = bytes.readUInt32LE(10);
  const headerSize = bytes.readUInt32LE(14);
  if (headerSize < 40) throw new BmpError(`BMP header of ${headerSize} bytes (OS/2 bitmaps) is not supported; save it as PNG`);
  const width = bytes.readInt32LE(18);
  const rawHeight = bytes.readInt32LE(22);
  const bpp = bytes.readUInt16LE(28);
  const compression = bytes.readUInt32LE(30);
  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);
  if (width <= 0 || height === 0) throw new BmpError(`the BMP says it is ${width}×${height} pixels`);
  if (width * height > maxPixels) {
    throw new BmpError(`the BMP is ${width}×${height} = ${((width * height) / 1e6).toFixed(1)} megapixels, over the limit of ${(maxPixels / 1e6).toFixed(0)}`);
  }
  if (compression !== BI_RGB && compression !== BI_BITFIELDS && compression !== BI_ALPHABITFIELDS) {
    throw new BmpError(`compressed BMP (compression ${compression}) is not supported; save it as PNG`);
  }
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) throw new BmpError(`BMP with ${bpp} bits per pixel is not supported`);

  let masks: number[];
  if (compression === BI_RGB) {
    masks = bpp === 16 ? [0x7c00, 0x03e0, 0x001f, 0] : [0x00ff0000, 0x0000ff00, 0x000000ff, 0];
  } else {
    const at = headerSize >= 52 ? 54 : 14 + headerSize; // masks live in the header (v2+) or right after it
    masks = [
      bytes.readUInt32LE(at),
      bytes.readUInt32LE(at + 4),
      bytes.readUInt32LE(at + 8),
      headerSize >= 56 || compression === BI_ALPHABITFIELDS ? bytes.readUInt32LE(at + 12) : 0,
    ];
  }
  const shapes = masks.map(maskShape);

  const paletteEntries = bpp <= 8 ? bytes.readUInt32LE(46) || 1 << bpp : 0;
  const paletteAt = 14 + headerSize;
  const palette: number[][] = [];
  for (let i = 0; i < paletteEntries; i++) {
    const p = paletteAt + i * 4;
    if (p + 3 >= bytes.length) break;
    palette.push([bytes[p + 2], bytes[p + 1], bytes[p]]);
  }

  const rowBytes = Math.floor((bpp * width + 31) / 32) * 4;
  if (dataOffset + rowBytes * height > bytes.length) throw new BmpError('the BMP is truncated (fewer pixel bytes than its size says)');
  const out = Buffer.alloc(width * height * 4);
  // 32-bit BI_RGB files usually leave the fourth byte at 0: treat it as opaque, not transparent.
  const useAlpha = shapes[3].bits > 0;
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * rowBytes;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      let r: number,
        g: number,
        b: number,
        a = 255;
      if (bpp <= 8) {
        const bitPos = x * bpp;
        const byte = bytes[row + (bitPos >> 3)];
        const index = (byte >> (8 - bpp - (bitPos & 7))) & ((1 << bpp) - 1);
        [r, g, b] = palette[index] ?? [0, 0, 0];
      } else if (bpp === 24) {
        const p = row + x * 3;
        [b, g, r] = [bytes[p], bytes[p + 1], bytes[p + 2]];
      } else {
        const v = bpp === 16 ? bytes.readUInt16LE(row + x * 2) : bytes.readUInt32LE(row + x * 4);
        r = channel(v, shapes[0], 0);
        g = channel(v, shapes[1], 0);
        b = channel(v, shapes[2], 0);
        if (useAlpha) a = channel(v, shapes[3], 255);
      }
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
      out[o + 3] = a;
    }
  }
  return { data: out, width, height };
}
