/**
 * The OCR pipeline up to recognised lines: decode, theme check (dark screenshots are inverted so
 * both networks see dark text on a light background, as in their training data), detection, line
 * grouping, recognition. Layout and repairs happen in `transcribe.ts`.
 */
import { HostErrorCodes } from '../../protocol';
import { HostError } from '../../protocol/errors';
import type { LoadedImage } from '../engine';
import { splitTallBoxes } from './box-split';
import { detectTextBoxes } from './detect';
import { groupIntoLines, mergeCloseBoxes } from './layout-lines';
import { loadOcrSessions } from './models';
import { orphanInkBoxes } from './orphan-ink';
import { inkRuns, type InkRun } from './ink';
import { decodeRgb, hasDarkBackground, invertRaster, MAX_OCR_PIXELS, type RgbRaster } from './raster';
import type { Band } from './separators';
import { recogniseBoxes, type RecognisedBox } from './recognise';

export interface OcrPage {
  /** Lines top to bottom, each with its boxes left to right. */
  lines: RecognisedBox[][];
  /** Ink runs of each line's pixel band (same order as `lines`), for exact spacing. */
  ink: InkRun[][];
  /** Each line's pixel band (same order as `lines`): between the midpoints to its neighbours. */
  bands: Band[];
  /** The decoded pixels (inverted when `dark`), for geometry after recognition. */
  raster: RgbRaster;
  /** Per line (same order as `lines`), once a gutter was dropped: true where it did not read as numbers or markers. */
  gutterDoubt?: boolean[];
  width: number;
  height: number;
  dark: boolean;
  timings: { decodeMs: number; detectMs: number; recogniseMs: number };
}

/** Refuses images the pipeline cannot use, with what to do about it. */
export function checkOcrImage(image: LoadedImage): void {
  if (!(image.width > 0 && image.height > 0)) {
    throw new HostError(HostErrorCodes.BadImage, `${image.source}: the image is empty (${image.width}×${image.height}); choose a screenshot of code`);
  }
  if (image.width * image.height > MAX_OCR_PIXELS) {
    throw new HostError(
      HostErrorCodes.BadImage,
      `${image.source}: the image is too large for OCR (${image.width}×${image.height}, more than ${MAX_OCR_PIXELS / 1e6} megapixels); crop it to the code first`,
    );
  }
}

export async function recognisePage(image: LoadedImage): Promise<OcrPage> {
  checkOcrImage(image);
  const t0 = performance.now();
  const sessions = await loadOcrSessions();
  let raster;
  try {
    raster = await decodeRgb(image.png);
  } catch (err) {
    throw new HostError(HostErrorCodes.BadImage, `${image.source}: cannot decode the image (${(err as Error).message})`);
  }
  const dark = hasDarkBackground(raster);
  if (dark) raster = invertRaster(raster);
  const t1 = performance.now();
  const boxes = splitTallBoxes(await detectTextBoxes(sessions.detector, raster), raster);
  const t2 = performance.now();
  const textX0 = Math.min(...boxes.map((b) => b.x0));
  const textX1 = Math.max(...boxes.map((b) => b.x1));
  const grouped = groupIntoLines(boxes).map((line) => {
    // Only near the line's own text: farther ink is another column's or the window's.
    const h = Math.max(...line.map((b) => (b.core ?? b).y1 - (b.core ?? b).y0));
    const from = Math.max(textX0, Math.min(...line.map((b) => b.x0)) - 6 * h);
    const to = Math.min(textX1, Math.max(...line.map((b) => b.x1)) + 6 * h);
    const found = orphanInkBoxes(raster, line, from, to);
    return mergeCloseBoxes(found.length ? [...line, ...found].sort((a, b) => a.x0 - b.x0) : line);
  });
  const flat = grouped.flat();
  const recognised = await recogniseBoxes(sessions.recogniser, sessions.charset, raster, flat);
  const byBox = new Map(recognised.map((r) => [r.box, r]));
  const lines = grouped
    .map((line) => line.map((b) => byBox.get(b)).filter((r): r is RecognisedBox => r !== undefined && r.text.trim() !== ''))
    .filter((line) => line.length > 0);
  const bands = lines.map((line, i): Band => {
    const y0 = Math.min(...line.map((b) => b.box.y0));
    const y1 = Math.max(...line.map((b) => b.box.y1));
    const centre = (y0 + y1) / 2;
    const prev = i > 0 ? (Math.min(...lines[i - 1].map((b) => b.box.y0)) + Math.max(...lines[i - 1].map((b) => b.box.y1))) / 2 : -Infinity;
    const next = i + 1 < lines.length ? (Math.min(...lines[i + 1].map((b) => b.box.y0)) + Math.max(...lines[i + 1].map((b) => b.box.y1))) / 2 : Infinity;
    const margin = y1 - y0;
    return {
      x0: Math.min(...line.map((b) => b.box.x0)) - margin,
      x1: Math.max(...line.map((b) => b.box.x1)) + margin,
      y0: Math.max(y0, (prev + centre) / 2),
      y1: Math.min(y1, (centre + next) / 2),
    };
  });
  const ink = bands.map((band) => inkRuns(raster, band));
  const t3 = performance.now();
  return {
    lines,
    ink,
    bands,
    raster,
    width: raster.width,
    height: raster.height,
    dark,
    timings: { decodeMs: t1 - t0, detectMs: t2 - t1, recogniseMs: t3 - t2 },
  };
}
