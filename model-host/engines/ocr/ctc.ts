/**
 * Greedy CTC decoding of the recogniser's output: the best class per time step, repeats collapsed,
 * blanks removed. Each character keeps its confidence and the time steps it spanned, which the
 * layout uses to place characters in columns (one step is 8 input pixels for PP-OCRv4).
 */

export interface DecodedChar {
  char: string;
  /** Highest class probability over the character's steps. */
  confidence: number;
  /** First and last time step (inclusive) of the character's run. */
  firstStep: number;
  lastStep: number;
}

/**
 * `probs` holds `steps` rows of `classes` probabilities starting at `offset`;
 * class 0 is the blank and `charset[i]` is the character of class i.
 */
export function ctcGreedyDecode(probs: Float32Array, offset: number, steps: number, classes: number, charset: readonly string[]): DecodedChar[] {
  const out: DecodedChar[] = [];
  let previous = -1;
  for (let t = 0; t < steps; t++) {
    const row = offset + t * classes;
    let best = 0;
    let bestP = probs[row];
    for (let c = 1; c < classes; c++) {
      const p = probs[row + c];
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    if (best !== 0 && best === previous) {
      const last = out[out.length - 1];
      last.lastStep = t;
      if (bestP > last.confidence) last.confidence = bestP;
    } else if (best !== 0) {
      out.push({ char: charset[best] ?? '', confidence: bestP, firstStep: t, lastStep: t });
    }
    previous = best;
  }
  return out;
}
