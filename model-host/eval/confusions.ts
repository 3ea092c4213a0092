/**
 * What kinds of character errors remain: a character-level alignment of each mismatched line pair,
 * counted as `expected→got` (`·` for a space, `∅` for nothing). Used by the eval report.
 */

export function lineConfusions(ref: string, hyp: string): string[] {
  const n = ref.length;
  const m = hyp.length;
  const dp: number[][] = Array.from({ length: n + 1 }, (_, i) => Array.from({ length: m + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) dp[i][j] = Math.min(dp[i - 1][j] + 1, dp[i][j - 1] + 1, dp[i - 1][j - 1] + (ref[i - 1] === hyp[j - 1] ? 0 : 1));
  }
  const show = (c: string) => (c === ' ' ? '·' : c === '\t' ? '⇥' : c);
  const out: string[] = [];
  let i = n;
  let j = m;
  while (i > 0 || j > 0) {
    if (i > 0 && j > 0 && dp[i][j] === dp[i - 1][j - 1] + (ref[i - 1] === hyp[j - 1] ? 0 : 1)) {
      if (ref[i - 1] !== hyp[j - 1]) out.push(`${show(ref[i - 1])}→${show(hyp[j - 1])}`);
      i--;
      j--;
    } else if (i > 0 && dp[i][j] === dp[i - 1][j] + 1) {
      out.push(`${show(ref[i - 1])}→∅`);
      i--;
    } else {
      out.push(`∅→${show(hyp[j - 1])}`);
      j--;
    }
  }
  return out;
}
