/**
 * The engine worker's `ocr` job: runs the OCR engine on the worker thread (inference blocks the
 * thread it runs on). The protocol thread sends the already-loaded image; a Buffer arrives as a
 * plain Uint8Array after the structured clone, so it is wrapped again here.
 */
import type { LoadedImage } from '../../engines/engine';
import type { JobHandler } from '../job-context';
import { ocrTextForPrompt, transcribeCode } from '../../engines/ocr';

export interface OcrJobPayload {
  /** `transcribe` → the result of `transcribeCode`; `prompt-text` → `{ text }` from `ocrTextForPrompt`. */
  op: 'transcribe' | 'prompt-text';
  image: { png: Uint8Array; width: number; height: number; source: string };
  options?: { language?: string; useTabs?: boolean };
}

export const ocrJob: JobHandler = async (payload, ctx) => {
  const p = payload as OcrJobPayload;
  if (!p || !p.image || !p.image.png) throw new Error('ocr job needs { op, image: { png, width, height, source } }');
  const image: LoadedImage = { ...p.image, png: Buffer.from(p.image.png.buffer, p.image.png.byteOffset, p.image.png.byteLength) };
  if (p.op === 'prompt-text') return { text: await ocrTextForPrompt(image) };
  const result = await transcribeCode(image, p.options);
  ctx.log('debug', `ocr: ${result.lines.length} lines, ${result.language}, ${Math.round(result.timings.totalMs)} ms`);
  return result;
};
