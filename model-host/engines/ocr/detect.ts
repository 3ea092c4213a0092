/**
 * Text detection: the PP-OCRv4 DB detector on a copy of the image scaled so both sides are
 * multiples of 32 (the network's stride) under a size cap, then DB post-processing and boxes mapped
 * back to image pixels.
 */
import type { InferenceSession } from 'onnxruntime-node';
import sharp from 'sharp';
import { dbBoxes, DEFAULT_DB_OPTIONS, type MapBox } from './db-postprocess';
import type { RgbRaster } from './raster';

/** Longest side fed to the detector. Code at 12 px stays ≥ 9 px tall at this cap for typical shots. */
export const DETECT_MAX_SIDE = 1280;
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

/** Detector input size: scaled down to fit the cap (never up), rounded to multiples of 32, ≥ 32. */
export function detectorSize(width: number, height: number, maxSide = DETECT_MAX_SIDE): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  const round32 = (v: number) => Math.max(32, Math.round((v * scale) / 32) * 32);
  return { width: round32(width), height: round32(height) };
}

export async function detectTextBoxes(detector: InferenceSession, raster: RgbRaster): Promise<MapBox[]> {
  const ort = await import('onnxruntime-node');
  const size = detectorSize(raster.width, raster.height);
  const scaled = await sharp(raster.data, { raw: { width: raster.width, height: raster.height, channels: 3 } })
    .resize(size.width, size.height, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer();
  const plane = size.width * size.height;
  const input = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) input[c * plane + i] = (scaled[i * 3 + c] / 255 - MEAN[c]) / STD[c];
  }
  const feeds = { [detector.inputNames[0]]: new ort.Tensor('float32', input, [1, 3, size.height, size.width]) };
  const output = await detector.run(feeds);
  const map = output[detector.outputNames[0]];
  const prob = map.data as Float32Array;
  const boxes = dbBoxes(prob, size.width, size.height, DEFAULT_DB_OPTIONS);
  const sx = raster.width / size.width;
  const sy = raster.height / size.height;
  return boxes.map((b) => ({
    x0: Math.max(0, b.x0 * sx),
    y0: Math.max(0, b.y0 * sy),
    x1: Math.min(raster.width, b.x1 * sx),
    y1: Math.min(raster.height, b.y1 * sy),
    score: b.score,
    core: b.core && { x0: b.core.x0 * sx, y0: b.core.y0 * sy, x1: b.core.x1 * sx, y1: b.core.y1 * sy },
  }));
}
