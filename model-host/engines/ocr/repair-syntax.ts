/**
 * Repairs that need to know a little syntax: letter case of look-alike letters, the pipe operator
 * read as `I`, Python docstring quotes, JS/TS template-literal backticks. Pure functions over the
 * snippet's lines.
 */
import { identifierCounts } from './identifier-counts';

/** Letters whose capital is the small letter scaled up: the recogniser confuses their case. */
const CASE_ALIKE = new Set('cosuvwxzCOSUVWXZ');

/**
 * Case confusions: a capital word with a few small look-alikes (`FRoM`, `$HoME`) is all capitals;
 * a token seen once whose look-alike-case variant appears elsewhere (`server` vs `Server`) follows it.
 */
export function repairCase(lines: readonly string[]): string[] {
  const counts = identifierCounts(lines);
  // A name's declaration (`type Server`, `class Counter`) decides its spelling when counts tie.
  const declared = new Set<string>();
  for (const line of lines) for (const m of line.matchAll(/\b(?:type|class|struct|interface|enum|trait|record)\s+([A-Za-z_]\w*)/g)) declared.add(m[1]);
  return lines.map((line) =>
    line.replace(/[A-Za-z][A-Za-z0-9_]*/g, (token) => {
      const letters = token.replace(/[^A-Za-z]/g, '');
      const lower = [...letters].filter((c) => c >= 'a' && c <= 'z');
      const upper = letters.length - lower.length;
      if (letters.length >= 3 && upper >= 2 && lower.length > 0 && lower.every((c) => CASE_ALIKE.has(c))) {
        return token.toUpperCase();
      }
      if ((counts.get(token) ?? 0) > 1) return token;
      // `orderS`: a small word ending in one look-alike capital.
      if (/^[a-z]{3,}[SOUVWXZC]$/.test(token)) return token.toLowerCase();
      for (let i = 0; i < token.length; i++) {
        if (!CASE_ALIKE.has(token[i])) continue;
        const flipped = token[i] === token[i].toLowerCase() ? token[i].toUpperCase() : token[i].toLowerCase();
        const variant = token.slice(0, i) + flipped + token.slice(i + 1);
        const vc = counts.get(variant) ?? 0;
        const tc = counts.get(token) ?? 0;
        if (vc > tc || (vc > 0 && vc === tc && declared.has(variant) && !declared.has(token))) return variant;
      }
      return token;
    }),
  );
}

/** A lone `I`/`l` between operands (`V I undefined`) is the pipe operator, unless it is a name here. */
export function repairPipes(lines: readonly string[]): string[] {
  const counts = identifierCounts(lines);
  return lines.map((line) => line.replace(/(?<=[\w)\]}>'"] )[Il](?= [\w({[<'"])/g, (c) => ((counts.get(c) ?? 0) > 2 ? c : '|')));
}

/** Python docstrings: a line opening with three or four quotes and closing with one to four gets three each side. */
export function repairTripleQuotes(lines: readonly string[]): string[] {
  return lines.map((line) => {
    const m = /^(\s*)("{3,4}|'{3,4})(.*?)("{1,4}|'{1,4})?$/.exec(line);
    if (!m) return line;
    const q = m[2][0].repeat(3);
    if (m[3].includes(q)) return line;
    // Quote marks right after the opening triple are misreads of it (`"""'Return`).
    const body = m[3].replace(/^['"]+/, '');
    return m[4] ? `${m[1]}${q}${body}${q}` : `${m[1]}${q}${body}`;
  });
}

/**
 * Template literals (JS/TS): the backtick is a tiny mark the recogniser drops or reads as `^` or a
 * quote. A line with `${…}` and no backtick gets them back around the literal: after the opening
 * bracket, `=`, `,` or `return`, and before the `;`, `)` or `,` that follows the last `}`.
 */
export function repairTemplateLiterals(lines: readonly string[]): string[] {
  return lines.map((original) => {
    const ticks = (original.match(/`/g) ?? []).length;
    if (!original.includes('${') || (ticks > 0 && ticks % 2 === 0)) return original;
    // One backtick was read: drop it and put both back where the literal's ends are.
    const line = ticks === 1 ? original.replace('`', '') : original;
    const open = line.indexOf('${');
    const head = line.slice(0, open);
    const startMatch = /(?:[(=]\s*|\breturn\s+)([\^'"]?)(?=[^(=]*$)/.exec(head) ?? /,\s*([\^'"]?)(?=[^,]*$)/.exec(head);
    const lastClose = line.lastIndexOf('}');
    if (!startMatch || lastClose < open) return original;
    const markLen = startMatch[1].length;
    const start = startMatch.index + startMatch[0].length - markLen;
    const after = line.slice(lastClose + 1);
    const endMatch = /^([^;),`]*?)\s*([\^'"]?)\s*(?=[;),]|$)/.exec(after);
    if (!endMatch) return original;
    const endAt = lastClose + 1 + endMatch[1].length;
    const tailStart = lastClose + 1 + endMatch[0].length;
    return `${line.slice(0, start)}\`${line.slice(start + markLen, endAt)}\`${line.slice(tailStart)}`;
  });
}

/** Shell: `$` read as `s` (`"sfile"`) when `$file` is used elsewhere in the snippet. */
export function repairShellDollars(lines: readonly string[]): string[] {
  const vars = new Set<string>();
  for (const line of lines) for (const m of line.matchAll(/\$\{?([A-Za-z_]\w*)/g)) vars.add(m[1]);
  return lines.map((line) => line.replace(/(?<![\w$])[sS]([A-Za-z_]\w*)/g, (token, name: string) => (vars.has(name) && !vars.has(token) ? `$${name}` : token)));
}

/**
 * Shell and Makefile command-line flags with look-alike characters: gcc's `-O0…-O3/-Os` read as
 * zero, `-Wall` as `-Wa11`, object files `x.o` as `x.0`, `wc -l` as `wc -1` (wc has no `-1`).
 */
export function repairCommandFlags(lines: readonly string[]): string[] {
  return lines.map((line) =>
    line
      .replace(/(?<=(?:^|\s)-)0(?=[0-3sgz](?:\s|$))/g, 'O')
      .replace(/(?<=(?:^|\s)-W)[a-z1]+/g, (w) => w.replace(/1/g, 'l'))
      .replace(/(?<=[A-Za-z_][\w-]*)\.0(?=\s|$)/g, '.o')
      .replace(/\bwc -1\b/g, 'wc -l'),
  );
}

/**
 * Python dunder names lose underscores (thin glyphs at the baseline): `_init_`, `_slots__`,
 * `slots__` → `__init__`, `__slots__`. A name with underscores on one or both ends but not two on
 * each is taken as a dunder when it ends in `__`, or starts with `_` and ends with `_`.
 */
export function repairDunders(lines: readonly string[]): string[] {
  return lines.map((line) =>
    line.replace(/(?<![\w.])_{0,2}[a-z][a-z0-9]*_{1,2}(?!\w)/g, (token) => {
      const name = /^_*([a-z][a-z0-9]*)_*$/.exec(token)?.[1];
      if (!name || token === `__${name}__`) return token;
      const lead = token.length - token.replace(/^_+/, '').length;
      const trail = token.length - token.replace(/_+$/, '').length;
      return trail === 2 || (lead >= 1 && trail >= 1) ? `__${name}__` : token;
    }),
  );
}

/**
 * `||` read as two look-alikes (`Il`, `ll`, `11`, `|l`) between operands: it is the operator
 * unless that token is a name used elsewhere in the snippet. Not for Python, which spells it `or`.
 */
export function repairDoublePipes(lines: readonly string[]): string[] {
  const counts = identifierCounts(lines);
  return lines.map((line) =>
    line.replace(/(?<=[\w)\]}'"] )(?:[Il1|]{2})(?= [\w!({[<'"$-])/g, (t, at: number) => {
      // `seq 1 11 20`: between numbers, `11` is a number.
      if (t.includes('1') && (/\d/.test(line[at - 2] ?? '') || /\d/.test(line[at + 3] ?? ''))) return t;
      return t === '||' || (counts.get(t) ?? 0) > 1 ? t : '||';
    }),
  );
}

/** The line with string literals and comments blanked to spaces (same length), so repairs leave their text alone. */
function codeOnly(line: string): string {
  return line
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, (m) => ' '.repeat(m.length))
    .replace(/(\/\/|#(?![!{\[])).*$/, (m) => ' '.repeat(m.length));
}

/**
 * An underscore read as a hyphen inside a name (`my-crate`, `is-empty`): in languages whose names
 * cannot hold `-`, a hyphen with a letter on both sides and no spaces, outside strings and
 * comments, is an underscore (formatted code puts spaces around a minus).
 */
export function repairHyphenatedNames(lines: readonly string[]): string[] {
  return lines.map((line) => {
    const code = codeOnly(line);
    let out = '';
    for (let i = 0; i < line.length; i++) {
      const hyphen =
        line[i] === '-' && code[i] === '-' && /[A-Za-z0-9_]/.test(line[i - 1] ?? '') && /[a-z_]/.test(line[i + 1] ?? '') && !/\d/.test(line[i - 1]);
      out += hyphen ? '_' : line[i];
    }
    return out;
  });
}
