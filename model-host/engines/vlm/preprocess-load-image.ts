/**
 * Decodes an image file or buffer into the host's normalised `LoadedImage`: EXIF orientation applied,
 * alpha flattened on white, any colour space / bit depth turned into 8-bit sRGB with 3 channels.
 * Every engine starts from this, so a photo taken sideways or a transparent screenshot looks the
 * same to the local model, the OCR engine and a remote server.
 */
import { promises as fs } from 'node:fs';
import sharp from 'sharp';
import type { LoadedImage } from '../engine';
import type { RgbImage } from '../../images/resize-like-pillow';

/** Largest side we accept; bigger inputs are almost certainly a mistake and would take seconds to decode. */
const MAX_SIDE = 16384;

export async function loadImageForModel(input: Buffer | string, source?: string): Promise<LoadedImage> {
  const label = source ?? (typeof input === 'string' ? input : 'image bytes');
  let bytes: Buffer;
  if (typeof input === 'string') {
    try {
      bytes = await fs.readFile(input);
    } catch (err) {
      throw new Error(`Cannot read the image file ${input}: ${(err as Error).message}`);
    }
  } else {
    bytes = input;
  }
  try {
    const meta = await sharp(bytes).metadata();
    if (!meta.width || !meta.height) throw new Error('no image size in the file');
    if (meta.width > MAX_SIDE || meta.height > MAX_SIDE) {
      throw new Error(`${meta.width}x${meta.height} is larger than ${MAX_SIDE} px on a side; scale it down first`);
    }
    // rotate() with no angle applies the EXIF orientation; flatten() composes alpha over white;
    // toColourspace('srgb') turns grey, CMYK and 16-bit images into 8-bit RGB.
    const { data, info } = await sharp(bytes)
      .rotate()
      .flatten({ background: { r: 255, g: 255, b: 255 } })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const rgb = ensureRgb8(data, info.width, info.height, info.channels);
    const png = await sharp(rgb, { raw: { width: info.width, height: info.height, channels: 3 } }).png().toBuffer();
    return { png, width: info.width, height: info.height, source: label };
  } catch (err) {
    throw new Error(`Cannot decode ${label} as an image (png, jpeg, webp, gif, tiff, svg): ${(err as Error).message}`);
  }
}

/** Guards against sharp returning one band (some grey inputs) by replicating it to three. */
function ensureRgb8(data: Buffer, width: number, height: number, channels: number): Buffer {
  if (channels === 3) return data;
  if (channels === 1) {
    const out = Buffer.alloc(width * height * 3);
    for (let i = 0; i < width * height; i++) out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = data[i];
    return out;
  }
  throw new Error(`unexpected ${channels} colour channels after conversion to sRGB`);
}

/** The 8-bit RGB pixels of a `LoadedImage` (its PNG is always 8-bit RGB, see `loadImageForModel`). */
export async function decodeLoadedImage(image: LoadedImage): Promise<RgbImage> {
  const { data, info } = await sharp(image.png).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const rgb = ensureRgb8(data, info.width, info.height, info.channels);
  return { data: new Uint8Array(rgb.buffer, rgb.byteOffset, rgb.length), width: info.width, height: info.height };
}
