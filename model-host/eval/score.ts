/**
 * Scoring a transcription against its source text: character error rate (Levenshtein distance over
 * the reference length), the share of reference lines reproduced exactly, and the share whose
 * leading whitespace is exactly right. Lines are paired by a line-level alignment, so one missed
 * line costs that line only, not every line after it. Trailing whitespace and the final newline
 * are ignored: editors strip them and they are invisible in a screenshot.
 */

export interface SnippetScore {
  refChars: number;
  charErrors: number;
  refLines: number;
  exactLines: number;
  /** Non-blank reference lines (indentation is only defined for those). */
  indentLines: number;
  rightIndent: number;
}

function normalise(text: string): string[] {
  return text
    .replace(/\r\n/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n+$/, '')
    .split('\n');
}

/** Levenshtein distance between two sequences (strings or arrays of comparable items). */
export function editDistance<T>(a: ArrayLike<T>, b: ArrayLike<T>): number {
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

/** Pairs reference lines with hypothesis lines (index pairs) by minimal edit cost, weighting near-matches. */
export function alignLines(ref: readonly string[], hyp: readonly string[]): [number, number][] {
  const cost = (r: string, h: string) => (r === h ? 0 : editDistance(r.trim(), h.trim()) / Math.max(1, r.trim().length, h.trim().length));
  const n = ref.length;
  const m = hyp.length;
  const dp: number[][] = Array.from({ length: n + 1 }, (_, i) => Array.from({ length: m + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      dp[i][j] = Math.min(dp[i - 1][j] + 1, dp[i][j - 1] + 1, dp[i - 1][j - 1] + cost(ref[i - 1], hyp[j - 1]));
    }
  }
  const pairs: [number, number][] = [];
  let i = n;
  let j = m;
  while (i > 0 && j > 0) {
    if (Math.abs(dp[i][j] - (dp[i - 1][j - 1] + cost(ref[i - 1], hyp[j - 1]))) < 1e-9) {
      pairs.push([i - 1, j - 1]);
      i--;
      j--;
    } else if (Math.abs(dp[i][j] - (dp[i - 1][j] + 1)) < 1e-9) {
      i--;
    } else {
      j--;
    }
  }
  return pairs.reverse();
}

const leading = (line: string) => /^[ \t]*/.exec(line)?.[0] ?? '';

export function scoreTranscription(reference: string, hypothesis: string): SnippetScore {
  const ref = normalise(reference);
  const hyp = normalise(hypothesis);
  const refText = ref.join('\n');
  const pairs = alignLines(ref, hyp);
  let exactLines = 0;
  let rightIndent = 0;
  for (const [r, h] of pairs) {
    if (ref[r] === hyp[h]) exactLines++;
    if (ref[r].trim() !== '' && leading(ref[r]) === leading(hyp[h])) rightIndent++;
  }
  return {
    refChars: refText.length,
    charErrors: editDistance(refText, hyp.join('\n')),
    refLines: ref.length,
    exactLines,
    indentLines: ref.filter((l) => l.trim() !== '').length,
    rightIndent,
  };
}

export interface ScoreTotals {
  cer: number;
  exactLineRate: number;
  indentAccuracy: number;
}

export function totals(scores: readonly SnippetScore[]): ScoreTotals {
  const sum = (k: keyof SnippetScore) => scores.reduce((s, x) => s + x[k], 0);
  return {
    cer: sum('charErrors') / Math.max(1, sum('refChars')),
    exactLineRate: sum('exactLines') / Math.max(1, sum('refLines')),
    indentAccuracy: sum('rightIndent') / Math.max(1, sum('indentLines')),
  };
}
