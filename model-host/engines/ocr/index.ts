/**
 * The OCR engine's public API (PP-OCRv4 on onnxruntime-node). Both functions run inference on the
 * calling thread: call them from the engine worker (job kind `ocr`, see `ocr-job.ts`), never from
 * the host's protocol thread.
 */
import type { OcrLineInfo } from '../../protocol';
import type { LoadedImage } from '../engine';
import { recognisePage } from './pipeline';
import { formatPromptText } from './prompt-text';
import { transcribeImage } from './transcribe';

export { detectLanguage } from './language';
export { LOW_CONFIDENCE } from './transcribe';

/**
 * A screenshot of code → the code. `code` is empty (with `message`) when the image holds no text;
 * an unusable image (empty, too large, undecodable) throws a HostError with code BadImage.
 */
export async function transcribeCode(
  image: LoadedImage,
  options?: { language?: string; useTabs?: boolean; region?: 'code' | 'all' },
): Promise<{ code: string; language: string; lines: OcrLineInfo[]; timings: { totalMs: number; detectMs: number; recogniseMs: number }; message?: string }> {
  return transcribeImage(image, options);
}

/** The detected text with positions, one block a line (`[x,y,w,h] text`), capped in length; '' when there is none. */
export async function ocrTextForPrompt(image: LoadedImage): Promise<string> {
  return formatPromptText(await recognisePage(image));
}
