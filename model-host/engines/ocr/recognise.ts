/**
 * Text recognition: each detected box is cropped from the full-resolution image, scaled to the
 * recogniser's height of 48 px, batched with boxes of similar width (padded with the normalised
 * zero, as PaddleOCR does) and decoded with greedy CTC. Character positions are mapped back to
 * image x coordinates so the layout can rebuild columns.
 */
import type { InferenceSession } from 'onnxruntime-node';
import { cropTone } from './contrast';
import { ctcGreedyDecode } from './ctc';
import { toAsciiPunctuation } from './repair';
import type { MapBox } from './db-postprocess';
import { cropScaleNormalise, type RgbRaster } from './raster';

export const REC_HEIGHT = 48;
/** Output steps per input pixel of PP-OCRv4's recogniser (its width stride is 8). */
const REC_STRIDE = 8;
const MAX_REC_WIDTH = 3200;
/**
 * One crop per run: code lines vary from `}` to 100 columns, and padding a batch to its widest
 * crop cost more than the per-run overhead saves (measured: 8 → 1 halved recognition CPU time).
 */
const BATCH = 1;
/**
 * Narrow crops are padded (with the normalised zero, as a batch would) to at least this width: the
 * recogniser misreads a lone `}` squeezed into a few time steps with nothing after it; 320 is
 * the width PP-OCR trains its recogniser at.
 */
const MIN_REC_INPUT_WIDTH = 320;
/**
 * Horizontal squeeze of each crop after scaling it to 48 px high. Code fonts at editor sizes give
 * ~2.4 time steps per character at full width; CTC needs a little over one (a blank between
 * repeated characters), and the recogniser's cost is linear in width.
 */
export const REC_WIDTH_SCALE = Number(process.env.VISUAL_CODER_OCR_REC_SCALE) || 1;

export interface RecognisedChar {
  char: string;
  confidence: number;
  /** Centre of the character in image pixels. */
  x: number;
}

export interface RecognisedBox {
  box: MapBox;
  text: string;
  chars: RecognisedChar[];
  confidence: number;
}

/**
 * The crop for a box: narrow boxes (a lone `}` or `)`) are widened with the background around them,
 * because the recogniser reads a single glyph squeezed into a few time steps poorly or not at all.
 */
export function recognitionRegion(box: MapBox, imageWidth: number): MapBox {
  const h = box.y1 - box.y0;
  const minWidth = 2 * h;
  if (box.x1 - box.x0 >= minWidth) return box;
  const grow = (minWidth - (box.x1 - box.x0)) / 2;
  return { ...box, x0: Math.max(0, box.x0 - grow), x1: Math.min(imageWidth, box.x1 + grow) };
}

export async function recogniseBoxes(recogniser: InferenceSession, charset: readonly string[], raster: RgbRaster, boxes: MapBox[]): Promise<RecognisedBox[]> {
  const ort = await import('onnxruntime-node');
  const items = boxes
    .map((box) => {
      const region = recognitionRegion(box, raster.width);
      const h = Math.max(1, region.y1 - region.y0);
      const w = Math.max(1, region.x1 - region.x0);
      const width = Math.min(MAX_REC_WIDTH, Math.max(REC_STRIDE, Math.round((REC_HEIGHT * w * REC_WIDTH_SCALE) / h)));
      return { box, region, width };
    })
    .sort((a, b) => a.width - b.width);
  const results: RecognisedBox[] = [];
  for (let start = 0; start < items.length; start += BATCH) {
    const batch = items.slice(start, start + BATCH);
    const batchW = Math.ceil(Math.max(MIN_REC_INPUT_WIDTH, batch[batch.length - 1].width) / REC_STRIDE) * REC_STRIDE;
    const per = 3 * REC_HEIGHT * batchW;
    const input = new Float32Array(per * batch.length); // zeros: the normalised padding value
    batch.forEach((item, i) => cropScaleNormalise(raster, item.region, item.width, REC_HEIGHT, input, i * per, batchW, cropTone(raster, item.region)));
    const feeds = { [recogniser.inputNames[0]]: new ort.Tensor('float32', input, [batch.length, 3, REC_HEIGHT, batchW]) };
    const output = (await recogniser.run(feeds))[recogniser.outputNames[0]];
    const [, steps, classes] = output.dims as number[];
    const probs = output.data as Float32Array;
    batch.forEach((item, i) => {
      const decoded = ctcGreedyDecode(probs, i * steps * classes, steps, classes, charset);
      // Input pixels per step, then image pixels per input pixel.
      const pxPerStep = batchW / steps;
      const scale = (item.region.x1 - item.region.x0) / item.width;
      const chars = decoded.map((d) => ({
        // Full-width forms (`５`, `（`) become ASCII here so gutter and layout logic see real digits.
        char: toAsciiPunctuation(d.char),
        confidence: d.confidence,
        x: item.region.x0 + ((d.firstStep + d.lastStep + 1) / 2) * pxPerStep * scale,
      }));
      const text = chars.map((c) => c.char).join('');
      const confidence = chars.length ? chars.reduce((s, c) => s + c.confidence, 0) / chars.length : 0;
      results.push({ box: item.box, text, chars, confidence });
    });
  }
  return results;
}
