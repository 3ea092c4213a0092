import { editDistance } from '../eval/score';

/**
 * The known name closest to a typo by edit distance, or undefined when nothing is close enough to be
 * a plausible typo (then the caller lists the choices instead of guessing).
 */
export function nearestName(typed: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of known) {
    const d = editDistance(typed.toLowerCase(), name.toLowerCase());
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  // A third of the name (at least 2 edits: one swapped pair) still reads as a typo; further is another word.
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}
