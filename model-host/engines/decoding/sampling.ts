/** Next-token choice from one row of logits: greedy by default, temperature + top-p when asked. */

export interface SamplingOptions {
  /** 0 or absent: greedy (argmax). */
  temperature?: number;
  /** Nucleus mass, 0 < topP ≤ 1 (1 = no cut). */
  topP?: number;
  /** Uniform random numbers in [0, 1); injectable for tests. */
  random?: () => number;
}

export function argmax(logits: Float32Array): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  return best;
}

export function chooseToken(logits: Float32Array, opts: SamplingOptions = {}): number {
  const t = opts.temperature ?? 0;
  if (!(t > 0)) return argmax(logits);
  const topP = opts.topP ?? 1;
  if (!(topP > 0 && topP <= 1)) throw new Error(`topP must be in (0, 1], got ${topP}`);
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  const probs = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += probs[i] = Math.exp((logits[i] - max) / t);
  const order = Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a]);
  // Keep the smallest set of most likely tokens whose mass reaches topP.
  let kept = 0;
  let mass = 0;
  while (kept < order.length && mass < topP * sum) mass += probs[order[kept++]];
  const r = (opts.random ?? Math.random)() * mass;
  let acc = 0;
  for (let i = 0; i < kept; i++) {
    acc += probs[order[i]];
    if (r < acc) return order[i];
  }
  return order[kept - 1];
}
