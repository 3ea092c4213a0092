/**
 * Character repairs for code: the recogniser is trained on Chinese and English prose, so it maps
 * ASCII punctuation to full-width forms and confuses `0`/`o`/`O`, `1`/`l`/`I` and reads `_` as a
 * space. Each repair uses context from the same image: numbers look like numbers, and an
 * identifier that appears elsewhere in the image (or is a keyword) beats a one-off variant.
 * Pure functions; repairs keep the text length per line unchanged where they can so that
 * character confidences stay aligned.
 */

const FULL_WIDTH: Record<string, string> = {
  '，': ',', '。': '.', '：': ':', '；': ';', '（': '(', '）': ')', '【': '[', '】': ']', '｛': '{', '｝': '}',
  '“': '"', '”': '"', '‘': "'", '’': "'", '、': ',', '《': '<', '》': '>', '〈': '<', '〉': '>', '—': '-', '–': '-',
  '－': '-', '～': '~', '·': '.', '｜': '|', '＝': '=', '＋': '+', '＊': '*', '／': '/', '＼': '\\', '＆': '&',
  '！': '!', '？': '?', '＃': '#', '＄': '$', '％': '%', '＜': '<', '＞': '>', '＠': '@', '＾': '^', '＿': '_',
  '｀': '`', '「': '"', '」': '"', '¥': '\\', '×': 'x', '′': "'", '″': '"',
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

/** Counts of identifier-like tokens across the whole snippet. */
export function identifierCounts(lines: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) for (const m of line.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) counts.set(m[0], (counts.get(m[0]) ?? 0) + 1);
  return counts;
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
    let out = line.replace(/[A-Za-z_][A-Za-z0-9_]*/g, (token) => {
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

/** The whole repair chain on the snippet's lines. */
export function repairCode(lines: readonly string[], keywords: ReadonlySet<string>): string[] {
  const ascii = lines.map((l) => repairNumbers(toAsciiPunctuation(l)));
  return repairIdentifiers(ascii, keywords);
}
