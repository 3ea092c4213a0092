/**
 * The image as a remote server receives it: a PNG data URL, downscaled first when its longer side is
 * over `maxImageSide` (servers cap request sizes, and vision encoders resize anyway, so sending a
 * 4K screenshot only costs bandwidth and risks a 413).
 */
import sharp from 'sharp';
import type { LoadedImage } from '../engine';

export const DEFAULT_MAX_IMAGE_SIDE = 1024;

export interface RemoteImage {
  url: string;
  width: number;
  height: number;
  /** Size of the PNG that went into the data URL. */
  bytes: number;
  downscaled: boolean;
}

export async function imageForRemote(image: LoadedImage, maxImageSide = DEFAULT_MAX_IMAGE_SIDE): Promise<RemoteImage> {
  let png = image.png;
  let { width, height } = image;
  const downscaled = Math.max(width, height) > maxImageSide;
  if (downscaled) {
    const out = await sharp(png)
      .resize({ width: maxImageSide, height: maxImageSide, fit: 'inside', kernel: 'lanczos3' })
      .png()
      .toBuffer({ resolveWithObject: true });
    png = out.data;
    width = out.info.width;
    height = out.info.height;
  }
  return { url: `data:image/png;base64,${png.toString('base64')}`, width, height, bytes: png.length, downscaled };
}
