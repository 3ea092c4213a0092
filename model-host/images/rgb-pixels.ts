/**
 * The 8-bit RGB pixels of a loaded image with its alpha channel dropped, not composited: what
 * Pillow's `Image.convert("RGB")` gives, and so what the DeepSeek-VL reference processors see.
 */
import sharp from 'sharp';
import type { LoadedImage } from './load-image';
import type { RgbImage } from './resize-like-pillow';

export async function rgbDroppingAlpha(image: LoadedImage): Promise<RgbImage> {
  const { data, info } = await sharp(image.png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 colour channels in the loaded image, got ${info.channels}`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}
