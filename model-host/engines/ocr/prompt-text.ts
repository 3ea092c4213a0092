/**
 * OCR text for VLM prompts (Design2Code's text-augmented prompting): each detected block as
 * `[x,y,w,h] text` in image pixels, top to bottom, capped so it never crowds out the image tokens.
 */
import type { OcrPage } from './pipeline';
import { toAsciiPunctuation } from './repair';

export const PROMPT_TEXT_MAX_CHARS = 3000;

export function formatPromptText(page: OcrPage, maxChars = PROMPT_TEXT_MAX_CHARS): string {
  let out = '';
  for (const line of page.lines) {
    for (const block of line) {
      const { x0, y0, x1, y1 } = block.box;
      const entry = `[${Math.round(x0)},${Math.round(y0)},${Math.round(x1 - x0)},${Math.round(y1 - y0)}] ${toAsciiPunctuation(block.text).trim()}\n`;
      if (out.length + entry.length > maxChars) return out + '[…more text cut]\n';
      out += entry;
    }
  }
  return out;
}
