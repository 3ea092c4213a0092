/**
 * Turns what the user gave us (a file path or base64 bytes) into the one image shape every engine
 * reads: EXIF-rotated, 8-bit sRGB, PNG-encoded, with its alpha channel kept as stored. Anything that
 * cannot become that fails with `HostErrorCodes.BadImage` and a message saying what to do; nothing
 * else happens (no file is written, no engine is loaded). This is the only image loader of the host:
 * the CLI, the protocol, the HTTP server and the engines all come through here, caps included.
 *
 * Alpha is kept because engines treat it differently on purpose: DeepSeek-VL drops it like its
 * reference processors (`Image.convert("RGB")` keeps the colour stored under transparent pixels),
 * OCR composes on white (text on a transparent background must stay readable), and a remote server
 * gets the pixels as the user had them.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import type { ImageInput } from '../protocol';
import { HostErrorCodes, IMAGE_EXTENSIONS } from '../protocol';
import { HostError } from '../protocol/errors';
import { BmpError, decodeBmp, isBmp } from './decode-bmp';

/** An image decoded and normalised by the host. */
export interface LoadedImage {
  /** PNG bytes: EXIF orientation applied, 8-bit sRGB, RGB or RGBA (alpha as stored). */
  png: Buffer;
  width: number;
  height: number;
  /** Whether `png` has an alpha channel. */
  hasAlpha?: boolean;
  /** Where it came from, for messages. */
  source: string;
}

export interface ImageLimits {
  /** Cap on decoded pixels (decompression bombs: a few KB of PNG can claim 50 000 × 50 000). */
  maxPixels: number;
  /** Cap on the encoded file. */
  maxBytes: number;
}

/** 40 megapixels is a 4K screenshot ×4; 64 MB is more than any sane screenshot. */
export const DEFAULT_IMAGE_LIMITS: ImageLimits = { maxPixels: 40_000_000, maxBytes: 64 * 1024 * 1024 };

function badImage(source: string, why: string): HostError {
  return new HostError(HostErrorCodes.BadImage, `Cannot use the image ${source}: ${why}`);
}

async function readBytes(input: ImageInput, limits: ImageLimits): Promise<{ bytes: Buffer; source: string }> {
  if (input.path) {
    const source = path.basename(input.path);
    let stat;
    try {
      stat = await fs.stat(input.path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw badImage(source, code === 'ENOENT' ? `no file at ${input.path}` : `it cannot be read (${code ?? (err as Error).message})`);
    }
    if (!stat.isFile()) throw badImage(source, `${input.path} is not a file`);
    if (stat.size > limits.maxBytes) {
      throw badImage(source, `the file is ${(stat.size / 1048576).toFixed(1)} MB, over the limit of ${(limits.maxBytes / 1048576).toFixed(0)} MB`);
    }
    try {
      return { bytes: await fs.readFile(input.path), source };
    } catch (err) {
      throw badImage(source, `it cannot be read (${(err as Error).message})`);
    }
  }
  if (input.base64 !== undefined) {
    // Accept data URLs as well as bare base64 (the panel pastes either).
    const comma = input.base64.startsWith('data:') ? input.base64.indexOf(',') : -1;
    const bytes = Buffer.from(input.base64.slice(comma + 1), 'base64');
    if (bytes.length > limits.maxBytes) {
      throw badImage('(pasted)', `it is ${(bytes.length / 1048576).toFixed(1)} MB, over the limit of ${(limits.maxBytes / 1048576).toFixed(0)} MB`);
    }
    return { bytes, source: '(pasted)' };
  }
  throw badImage('(none)', 'no image was given; pass a file path or base64 bytes');
}

function isOpaque(rgba: Uint8Array): boolean {
  for (let i = 3; i < rgba.length; i += 4) if (rgba[i] !== 255) return false;
  return true;
}

/** Loads, validates and normalises an image. Throws HostError(BadImage) with a clear message. */
export async function loadImage(input: ImageInput, limits: ImageLimits = DEFAULT_IMAGE_LIMITS): Promise<LoadedImage> {
  const { bytes, source } = await readBytes(input, limits);
  if (bytes.length === 0) throw badImage(source, 'the file is empty (0 bytes)');

  let pipeline: sharp.Sharp;
  if (isBmp(bytes)) {
    try {
      const raw = decodeBmp(bytes, limits.maxPixels);
      pipeline = sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: 4 } });
      // Most BMPs have no alpha (the decoder fills 255): keep them RGB like every other opaque image.
      if (isOpaque(raw.data)) pipeline = pipeline.removeAlpha();
    } catch (err) {
      throw badImage(source, err instanceof BmpError ? err.message : `the BMP cannot be decoded (${(err as Error).message})`);
    }
  } else {
    let meta: sharp.Metadata;
    try {
      // `pages: 1` = first frame of an animated GIF/WebP; the pixel limit is checked from the header.
      meta = await sharp(bytes, { pages: 1, limitInputPixels: false }).metadata();
    } catch {
      throw badImage(source, `it is not an image Visual Coder can read (supported: ${IMAGE_EXTENSIONS.join(', ')})`);
    }
    if (!meta.format || !['png', 'jpeg', 'gif', 'webp', 'svg', 'tiff'].includes(meta.format)) {
      throw badImage(source, `${meta.format ?? 'this'} images are not supported (supported: ${IMAGE_EXTENSIONS.join(', ')})`);
    }
    const width = meta.autoOrient?.width ?? meta.width ?? 0;
    const height = meta.autoOrient?.height ?? meta.height ?? 0;
    if (!width || !height) throw badImage(source, 'it has no pixels (width or height is 0)');
    if (width * height > limits.maxPixels) {
      throw badImage(
        source,
        `it decodes to ${width}×${height} = ${((width * height) / 1e6).toFixed(1)} megapixels, over the limit of ${(limits.maxPixels / 1e6).toFixed(0)}; crop or downscale it first`,
      );
    }
    pipeline = sharp(bytes, { pages: 1, limitInputPixels: limits.maxPixels });
  }

  try {
    const { data, info } = await pipeline
      .rotate() // applies the EXIF orientation, then drops it
      .toColourspace('srgb') // CMYK, grey and 16-bit inputs come out as 8-bit sRGB (alpha kept)
      .png({ compressionLevel: 3 })
      .toBuffer({ resolveWithObject: true });
    return { png: data, width: info.width, height: info.height, hasAlpha: info.channels === 4, source };
  } catch (err) {
    throw badImage(source, `its pixels cannot be decoded (${(err as Error).message.split('\n')[0]}); the file may be truncated or corrupt`);
  }
}
