/**
 * Post-processors for tasks whose answer is prose: explanations stay Markdown (fences repaired and
 * tagged), LaTeX formulas lose their delimiters, tables become a well-formed Markdown table.
 */
import { findFencedBlocks, repairMarkdown } from '../protocol/fences';
import { fenceTag, guessLanguage, tagMatches } from '../protocol/languages';
import { pickBlock, stripChatter } from '../protocol/code-blocks';

/** Explanation or bug report: Markdown with closed, language-tagged fences. */
export function postprocessMarkdown(raw: string, codeLanguage?: string): string {
  const repaired = repairMarkdown(raw);
  if (!repaired) return '';
  const lines = repaired.split('\n');
  // Tag untagged blocks so the corrected code is highlighted (guess when the code language is unknown).
  for (const block of findFencedBlocks(repaired)) {
    if (block.tag) continue;
    const language = codeLanguage ?? guessLanguage(block.code);
    if (!language) continue;
    lines[block.startLine] = lines[block.startLine].replace(/(`{3,}|~{3,})\s*$/, `$1${fenceTag(language)}`);
  }
  return lines.join('\n') + '\n';
}

/** A formula as bare LaTeX, without $$, \[ \] or a fence around it. */
export function postprocessLatex(raw: string): string {
  const block = pickBlock(raw, 'latex');
  let text = block && (tagMatches(block.tag, 'latex') || block.tag === '') ? block.code : raw;
  text = text.trim();
  const display = /\$\$([\s\S]+?)\$\$|\\\[([\s\S]+?)\\\]|\\begin\{(equation|align)\*?\}([\s\S]+?)\\end\{\3\*?\}|\$([^$\n]+)\$|\\\(([\s\S]+?)\\\)/.exec(text);
  if (display) {
    text = (display[1] ?? display[2] ?? display[4] ?? display[5] ?? display[6]).trim();
  } else if (!block) {
    text = stripChatter(text).trim();
  }
  return text ? text + '\n' : '';
}

function cells(row: string): string[] {
  return row
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((c) => c.trim());
}

const SEPARATOR = /^\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?$/;

/** A Markdown table: the table lines only, a separator row after the header, every row closed. */
export function postprocessTable(raw: string): string {
  const block = pickBlock(raw, 'markdown');
  const source = block ? block.code : raw;
  const rows = source
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('|') || (l.includes('|') && !/[.:!]$/.test(l)));
  if (rows.length === 0) return raw.trim() ? raw.trim() + '\n' : '';
  const header = cells(rows[0]);
  const body = rows.slice(1).filter((r) => !SEPARATOR.test(r));
  const out = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const row of body) {
    const c = cells(row);
    // A row cut off mid-way keeps what it has and is padded to the header's width.
    while (c.length < header.length) c.push('');
    out.push(`| ${c.slice(0, Math.max(header.length, c.length)).join(' | ')} |`);
  }
  return out.join('\n') + '\n';
}
