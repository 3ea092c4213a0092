/**
 * Where the low-confidence characters of an OCR transcription land in the document once the code
 * is inserted at (line, character). No VS Code here, so it is unit-tested directly.
 */
import type { OcrLineInfo } from '../../model-host/protocol';

export interface CharRange {
  line: number;
  character: number;
  /** The character as transcribed, for the diagnostic message. */
  text: string;
}

/**
 * `lines[i]` is line i of `code` (the OCR engine returns one entry per code line). Offsets outside
 * the line (the task's post-processing may have trimmed it) are dropped rather than misplaced.
 */
export function lowConfidenceRanges(code: string, lines: readonly OcrLineInfo[] | undefined, at: { line: number; character: number }): CharRange[] {
  if (!lines) return [];
  const codeLines = code.split('\n');
  const out: CharRange[] = [];
  lines.forEach((info, i) => {
    const text = codeLines[i];
    if (text === undefined || !info.lowConfidence) return;
    for (const offset of info.lowConfidence) {
      const ch = text[offset];
      if (ch === undefined || ch === ' ' || ch === '\t') continue;
      out.push({ line: at.line + i, character: (i === 0 ? at.character : 0) + offset, text: ch });
    }
  });
  return out;
}

export interface DoubtfulLine {
  line: number;
  /** Length of the line's text, for a range over all of it. */
  length: number;
  reason: 'indentation' | 'gutter';
}

/** Lines whose indentation, or the gutter removed from them, the engine inferred with low certainty, where they land in the document. */
export function layoutDoubtLines(code: string, lines: readonly OcrLineInfo[] | undefined, at: { line: number; character: number }): DoubtfulLine[] {
  if (!lines) return [];
  const codeLines = code.split('\n');
  return lines.flatMap((info, i) => {
    const text = codeLines[i];
    if (text === undefined || !info.layoutDoubt || text.trim() === '') return [];
    return [{ line: at.line + i, length: (i === 0 ? at.character : 0) + text.length, reason: info.layoutDoubt }];
  });
}

/** VS Code language ids offered when the language could not be detected. */
export const LANGUAGE_CHOICES = [
  'python',
  'typescript',
  'javascript',
  'go',
  'rust',
  'java',
  'c',
  'cpp',
  'csharp',
  'shellscript',
  'sql',
  'makefile',
  'plaintext',
];
