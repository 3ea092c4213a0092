/**
 * Post-processor for tasks whose output is code: pick the one fenced block in the output language
 * among several (tolerating missing or wrong tags), drop the chatter around it, and cope with a
 * block cut off by the token limit or a cancel. Pure functions of the raw text.
 */
import { findFencedBlocks, type FencedBlock } from './fences';
import { looksLike, tagMatches } from './languages';

/** Lines a model says before or after the code ("Sure! Here is…", "This code creates…"). */
const CHATTER =
  /^\s*(sure|certainly|of course|absolutely|okay|ok[,!.]|great|here('s| is| are)|below|the following|this (code|component|page|snippet|will|creates|uses|script|program|chart|diagram)|in this|i hope|i've|i have|let me|note:|explanation:|to (run|use) this|you can|feel free|hope this)/i;

export function isChatterLine(line: string): boolean {
  const t = line.trim();
  if (!t) return true;
  if (CHATTER.test(t)) return true;
  // A sentence ending in ':' with spaces, and no code punctuation, introduces the code.
  if (/^[A-Z][^{}();=<>]*:$/.test(t) && t.includes(' ')) return true;
  // A plain sentence of several words ("This function checks whether a number is even.").
  return /^[A-Z][^{}();=<>[\]`]*[.!?]$/.test(t) && t.split(/\s+/).length >= 4;
}

function score(block: FencedBlock, language: string): number {
  let s = 0;
  if (tagMatches(block.tag, language)) s += 100;
  else if (block.tag === '') s += 40;
  if (looksLike(block.code, language)) s += 50;
  return s;
}

/** The best block for `language`, or undefined when there is no fenced block. */
export function pickBlock(raw: string, language: string): FencedBlock | undefined {
  const blocks = findFencedBlocks(raw).filter((b) => b.code.trim().length > 0);
  let best: FencedBlock | undefined;
  let bestScore = -1;
  for (const block of blocks) {
    // Length breaks ties: the full component beats a one-line usage example in the same language.
    const s = score(block, language) + Math.min(block.code.length, 999_999) / 1_000_000;
    if (s > bestScore) {
      best = block;
      bestScore = s;
    }
  }
  return best;
}

/** Unfenced answer: strip prose lines before the first and after the last line of code. */
export function stripChatter(raw: string): string {
  const lines = raw.replace(/\r\n?/g, '\n').split('\n');
  let start = 0;
  let end = lines.length;
  while (start < end && isChatterLine(lines[start])) start++;
  while (end > start && isChatterLine(lines[end - 1])) end--;
  return lines.slice(start, end).join('\n');
}

/** Trims blank lines at both ends and trailing spaces on each line; keeps indentation. */
export function tidyCode(code: string): string {
  return (
    code
      .split('\n')
      .map((line) => line.replace(/\s+$/, ''))
      .join('\n')
      .replace(/^\n+/, '')
      .replace(/\n+$/, '') + '\n'
  );
}

/** Extracts the code in `language` from a model's answer. */
export function extractCode(raw: string, language: string): string {
  const block = pickBlock(raw, language);
  if (block) return tidyCode(block.code);
  // Only empty fences: the model wrote no code.
  if (findFencedBlocks(raw).length > 0) return '';
  const text = raw.trim();
  if (!text) return '';
  return tidyCode(stripChatter(text));
}
