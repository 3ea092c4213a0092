/**
 * Character repairs for code: the recogniser is trained on Chinese and English prose, so it maps
 * ASCII punctuation to full-width forms and confuses `0`/`o`/`O`, `1`/`l`/`I` and reads `_` as a
 * space. Each repair uses context from the same image: numbers look like numbers, and an
 * identifier that appears elsewhere in the image (or is a keyword) beats a one-off variant.
 * Pure functions; repairs keep the text length per line unchanged where they can so that
 * character confidences stay aligned.
 */
import { identifierCounts } from './identifier-counts';
import {
  repairCase,
  repairCommandFlags,
  repairDoublePipes,
  repairDunders,
  repairHyphenatedNames,
  repairPipes,
  repairShellDollars,
  repairTemplateLiterals,
  repairTripleQuotes,
} from './repair-syntax';

const FULL_WIDTH: Record<string, string> = {
  '，': ',',
  '。': '.',
  '：': ':',
  '；': ';',
  '（': '(',
  '）': ')',
  '【': '[',
  '】': ']',
  '｛': '{',
  '｝': '}',
  '“': '"',
  '”': '"',
  '‘': "'",
  '’': "'",
  '、': ',',
  '《': '<',
  '》': '>',
  '〈': '<',
  '〉': '>',
  '—': '-',
  '–': '-',
  '－': '-',
  '～': '~',
  '·': '.',
  '｜': '|',
  '＝': '=',
  '＋': '+',
  '＊': '*',
  '／': '/',
  '＼': '\\',
  '＆': '&',
  '！': '!',
  '？': '?',
  '＃': '#',
  '＄': '$',
  '％': '%',
  '＜': '<',
  '＞': '>',
  '＠': '@',
  '＾': '^',
  '＿': '_',
  '｀': '`',
  '「': '"',
  '」': '"',
  '¥': '\\',
  '×': 'x',
  '′': "'",
  '″': '"',
  丨: '|',
  θ: '0',
  Θ: '0',
  О: 'O',
  о: 'o',
};

/** Full-width and typographic punctuation mapped to the ASCII a code editor shows. */
export function toAsciiPunctuation(text: string): string {
  let out = '';
  for (const ch of text) {
    const mapped = FULL_WIDTH[ch];
    if (mapped !== undefined) {
      out += mapped;
      continue;
    }
    const code = ch.codePointAt(0) ?? 0;
    out += code >= 0xff01 && code <= 0xff5e ? String.fromCodePoint(code - 0xfee0) : ch;
  }
  return out;
}

const DIGIT_LIKE: Record<string, string> = { o: '0', O: '0', l: '1', I: '1' };

/** A token of digits with letters that look like digits (`l0`, `2O`, `1o0`) is a number. */
export function repairNumbers(line: string): string {
  // `\\o` is no escape in any language we detect; `\\0` (NUL) is common.
  line = line.replace(/\\[oO](?![0-7])/g, '\\0');
  return line.replace(/(?<![\w.])[0-9oOlI]+(?:\.[0-9oOlI]+)?(?![\w(])/g, (token) => {
    const digits = token.replace(/[0-9]/g, '').length;
    if (digits === token.replace('.', '').length) return token; // no digit at all: a word
    if (!/[0-9]/.test(token)) return token;
    return token.replace(/[oOlI]/g, (c) => DIGIT_LIKE[c]);
  });
}

const SWAPS: Record<string, string[]> = { '0': ['o', 'O'], o: ['0'], O: ['0'], '1': ['l', 'I'], l: ['1', 'I'], I: ['l', '1'] };

function variants(token: string, limit = 64): string[] {
  let out = [''];
  for (const ch of token) {
    const options = [ch, ...(SWAPS[ch] ?? [])];
    const next: string[] = [];
    for (const prefix of out) for (const o of options) if (next.length < limit) next.push(prefix + o);
    out = next;
  }
  return out.filter((v) => v !== token);
}

/**
 * Repairs identifiers: a token seen once whose look-alike variant (`0`↔`o`, `1`↔`l`↔`I`) is a
 * keyword or appears more often elsewhere becomes that variant; `a b` becomes `a_b` when `a_b`
 * appears elsewhere in the image (an underscore read as a space).
 */
export function repairIdentifiers(lines: readonly string[], keywords: ReadonlySet<string>): string[] {
  const counts = identifierCounts(lines);
  const known = (t: string) => keywords.has(t) || (counts.get(t) ?? 0) > 0;
  const underscored = [...counts.keys()].filter((t) => t.includes('_') && !t.startsWith('_') && !t.endsWith('_'));
  return lines.map((line) => {
    // A leading `0`/`1` may be an `O`/`l`/`I` (`0ption`), so such tokens are candidates too.
    let out = line.replace(/(?<![\w.])[01]?[A-Za-z_][A-Za-z0-9_]*/g, (token) => {
      if (keywords.has(token) || (counts.get(token) ?? 0) > 1) return token;
      for (const v of variants(token)) {
        if (known(v) && (keywords.has(v) || (counts.get(v) ?? 0) > (counts.get(token) ?? 0))) return v;
      }
      return token;
    });
    for (const id of underscored) {
      const spaced = id.replace(/_/g, ' ');
      if (!out.includes(spaced)) continue;
      out = out.replace(new RegExp(`(?<![\\w])${spaced.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w])`, 'g'), id);
    }
    return out;
  });
}

/**
 * A lone `l`/`I`/`O`/`o` in a value position (`step=l`, `[O, 1]`) is a digit when that letter is
 * not used as a name anywhere else in the image.
 */
export function repairLoneDigits(lines: readonly string[]): string[] {
  const counts = identifierCounts(lines);
  return lines.map((line) =>
    line.replace(/(?<=[=(,[\s<>+\-*/%:?&|])([lIOo])(?=[),\];:\s}]|$)/g, (c, _g, offset: number) => {
      if ((counts.get(c) ?? 0) > 1) return c;
      // Only in value positions: after an operator or opening bracket, not after a word and space.
      const before = line.slice(0, offset).trimEnd();
      if (!/[=(,[<>+\-*/%:?&|]$/.test(before)) return c;
      return DIGIT_LIKE[c];
    }),
  );
}

const CLOSERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
/** What the recogniser makes of a lone closing bracket on its own line. */
const LONE_CLOSER_MISREADS = /^(?:([>)\]}|?+]|[^\x00-\x7f])([;,)]*)|([JjlItf]))$/;

/**
 * Lines holding only a closing bracket (`}`, `};`, `})`) are hard for the recogniser (a single
 * glyph, no context). When such a line reads as something else, bracket balance across the
 * snippet says which closer it must be.
 */
export function repairLoneClosers(lines: readonly string[]): string[] {
  const stack: string[] = [];
  const counts = identifierCounts(lines);
  return lines.map((line) => {
    const trimmed = line.trim();
    // Any other single character alone on a line inside a block, that is no name used elsewhere
    // in the image (`M`, `2`, `~` for a `}`), is a misread closer too.
    const inBlock = stack[stack.length - 1] === '{';
    const lone = inBlock && /^[A-Za-z0-9~^*]$/.test(trimmed) && (counts.get(trimmed) ?? 0) <= 1 ? [trimmed, trimmed, ''] : null;
    const m = LONE_CLOSER_MISREADS.exec(trimmed) ?? lone;
    let out = line;
    if ((trimmed === ';' || trimmed === ',') && stack[stack.length - 1] === '{') {
      // Only the punctuation of `};` / `},` was read.
      out = line.slice(0, line.length - line.trimStart().length) + '}' + trimmed;
    } else if (m && stack.length > 0) {
      const expected = CLOSERS[stack[stack.length - 1]];
      const read = m[1] ?? m[3];
      if (read !== expected) out = line.slice(0, line.length - line.trimStart().length) + expected + (m[2] ?? '');
    }
    for (const ch of stripStrings(out)) {
      if (ch in CLOSERS) stack.push(ch);
      else if (ch === ')' || ch === ']' || ch === '}') {
        if (stack.length && CLOSERS[stack[stack.length - 1]] === ch) stack.pop();
      }
    }
    return out;
  });
}

/** The line without string literals and line comments, for bracket counting. */
function stripStrings(line: string): string {
  return line.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '').replace(/(\/\/|#(?![!{\[])).*$/, '');
}

/**
 * A string opened with one quote and closed with the other (`'utf8"`) is repaired to the quote the
 * snippet uses more often.
 */
export function repairQuotes(lines: readonly string[]): string[] {
  const all = lines.join('\n');
  const singles = (all.match(/'/g) ?? []).length;
  const doubles = (all.match(/"/g) ?? []).length;
  const preferred = singles >= doubles ? "'" : '"';
  return lines.map((line) => {
    const quotes = [...line.matchAll(/['"]/g)].map((m) => m.index ?? 0);
    if (quotes.length < 2 || quotes.length % 2 !== 0) return line;
    const chars = [...line];
    let changed = false;
    for (let k = 0; k + 1 < quotes.length; k += 2) {
      const a = quotes[k];
      const b = quotes[k + 1];
      if (line[a] !== line[b]) {
        chars[a] = preferred;
        chars[b] = preferred;
        changed = true;
      }
    }
    return changed ? chars.join('') : line;
  });
}

/** The whole repair chain on the snippet's lines. */
export function repairCode(lines: readonly string[], keywords: ReadonlySet<string>, language = 'plaintext'): string[] {
  const ascii = lines.map((l) => repairNumbers(toAsciiPunctuation(l)));
  let out = repairCase(repairIdentifiers(repairLoneDigits(ascii), keywords));
  if (language !== 'python' && language !== 'plaintext') out = repairDoublePipes(repairPipes(out));
  // Names with `-` are legal only in shells, Makefiles, CSS and the like.
  if (['python', 'rust', 'go', 'c', 'cpp', 'java', 'javascript', 'typescript'].includes(language)) out = repairHyphenatedNames(out);
  if (language === 'python') out = repairDunders(repairTripleQuotes(out));
  if (language === 'javascript' || language === 'typescript') out = repairTemplateLiterals(out);
  if (language === 'shellscript' || language === 'makefile') out = repairCommandFlags(repairShellDollars(out));
  return repairLoneClosers(repairQuotes(out));
}
