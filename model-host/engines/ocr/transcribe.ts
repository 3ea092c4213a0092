/**
 * Screenshot of code → code text: the OCR page, gutter numbers removed, columns and blank lines
 * rebuilt, characters repaired, language detected, low-confidence characters reported.
 */
import type { OcrLineInfo } from '../../protocol';
import type { LoadedImage } from '../engine';
import { removeDiffMarkers } from './diff-markers';
import { adjacentPitch, removeGutterNumbers } from './gutter';
import { detectLanguage, languageKeywords, usesTabs } from './language';
import { layoutLines, type LaidOutLine } from './layout';
import { dropGutter, findPageGutter } from './page-gutter';
import { recognisePage, type OcrPage } from './pipeline';
import { classifyText, restrictLines, selectCodeRegion } from './regions';
import { repairCode } from './repair';
import { restoreLostClosers } from './repair-blocks';

export interface TranscribeOptions {
  /** VS Code language id; detected from the text when absent. */
  language?: string;
  /** Indent with tabs; defaults to the language's convention (Go, Makefile). */
  useTabs?: boolean;
  /** `code` (default): only the largest code block of a page screenshot; `all`: every line of text. */
  region?: 'code' | 'all';
}

export interface TranscribeResult {
  code: string;
  language: string;
  lines: OcrLineInfo[];
  timings: { totalMs: number; detectMs: number; recogniseMs: number };
  /** Why the code is empty, when it is. */
  message?: string;
}

/** Characters below this confidence are flagged for the user to check. */
export const LOW_CONFIDENCE = 0.75;

/** Inserts blank lines where the vertical gap between two lines spans more than one line pitch. */
export function withBlankLines(lines: LaidOutLine[]): LaidOutLine[] {
  if (lines.length < 2) return lines;
  const centres = lines.map((l) => (l.box[1] + l.box[3]) / 2);
  const steps = centres
    .slice(1)
    .map((c, i) => c - centres[i])
    .sort((a, b) => a - b);
  // The smallest quarter of the steps are consecutive lines even in sparse code.
  const pitch = steps[Math.floor((steps.length - 1) / 4)];
  const out: LaidOutLine[] = [lines[0]];
  for (let i = 1; i < lines.length; i++) {
    const blanks = Math.max(0, Math.round((centres[i] - centres[i - 1]) / pitch) - 1);
    for (let b = 0; b < blanks; b++) out.push({ text: '', indent: 0, confidences: [], box: lines[i].box, inferred: true });
    out.push(lines[i]);
  }
  return out;
}

export function transcribePage(page: OcrPage, options: TranscribeOptions = {}): Omit<TranscribeResult, 'timings'> {
  if (page.lines.length === 0) return { code: '', language: options.language ?? 'plaintext', lines: [], message: 'No text found in the image.' };
  const lineChars = page.lines.map((boxes) => boxes.flatMap((b) => b.chars));
  const pitchGuess = adjacentPitch(lineChars);
  const { lines: gutterless } = removeGutterNumbers(lineChars, pitchGuess);
  const markers = removeDiffMarkers(gutterless, page.ink, pitchGuess);
  const codeChars = markers?.lines ?? gutterless;
  const inks = markers?.ink ?? page.ink;
  const layoutOptions = markers ? { origin: markers.origin } : {};
  const layoutInput = page.lines.map((boxes, i) => {
    const box: [number, number, number, number] = [
      Math.min(...boxes.map((b) => b.box.x0)),
      Math.min(...boxes.map((b) => b.box.y0)),
      Math.max(...boxes.map((b) => b.box.x1)),
      Math.max(...boxes.map((b) => b.box.y1)),
    ];
    // With the whole text asked for, prose lines (documentation around the code) keep their word spaces.
    const proportional = options.region === 'all' && classifyText(codeChars[i].map((c) => c.char).join('')) === 'prose';
    return { chars: codeChars[i], box, ink: inks[i], gutterDoubt: page.gutterDoubt?.[i], proportional };
  });
  // Lines emptied by gutter removal keep their place (as blank lines) through their box.
  const first = layoutLines(
    layoutInput.filter((l) => l.chars.length > 0),
    layoutOptions,
  );
  const draft = first.lines.map((l) => l.text);
  const language = options.language ?? detectLanguage(draft.join('\n'));
  const tabs = options.useTabs ?? usesTabs(language);
  let laid = first.lines;
  if (tabs) {
    const indents = [...new Set(laid.map((l) => l.indent).filter((n) => n > 0))].sort((a, b) => a - b);
    // Editors draw a tab 2, 4 or 8 columns wide; the smallest indent says which, give or take a column.
    const smallest = indents[0] ?? 4;
    const tabWidth = [2, 4, 8].reduce((best, w) => (Math.abs(w - smallest) < Math.abs(best - smallest) ? w : best), 4);
    laid = layoutLines(
      layoutInput.filter((l) => l.chars.length > 0),
      { ...layoutOptions, tabWidth },
    ).lines;
  }
  const blanked = withBlankLines(laid);
  const repaired = restoreLostClosers(
    repairCode(
      blanked.map((l) => l.text),
      languageKeywords(language),
      language,
    ),
    blanked.map((l) => l.inferred === true),
  );
  const lines: OcrLineInfo[] = blanked.map((l, i) => {
    const low = l.confidences.flatMap((c, k) => (c < LOW_CONFIDENCE ? [k] : []));
    const confidence = l.confidences.length ? Math.min(...l.confidences) : 1;
    return { text: repaired[i], confidence, box: l.box, ...(low.length ? { lowConfidence: low } : {}), ...(l.doubt ? { layoutDoubt: l.doubt } : {}) };
  });
  const code = repaired.join('\n').replace(/[ \t]+$/gm, '') + '\n';
  return { code, language, lines };
}

export async function transcribeImage(image: LoadedImage, options: TranscribeOptions = {}): Promise<TranscribeResult> {
  const t0 = performance.now();
  let page = await recognisePage(image);
  // Gutter first: its own background must not split the code into blocks. A gutter inside a code
  // block of a page only shows once the block is alone, so a second look follows the region.
  const gutter = findPageGutter(page);
  if (gutter) page = await dropGutter(page, gutter);
  if (options.region !== 'all') {
    const code = selectCodeRegion(page.lines, page.bands, page.raster);
    if (code) {
      page = restrictLines(page, code);
      const inner = gutter ? undefined : findPageGutter(page);
      if (inner) page = await dropGutter(page, inner);
    }
  }
  const result = transcribePage(page, options);
  return { ...result, timings: { totalMs: performance.now() - t0, detectMs: page.timings.detectMs, recogniseMs: page.timings.recogniseMs } };
}
