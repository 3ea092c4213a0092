/** How often each identifier-like token appears in a snippet: what the repairs compare a doubtful token with. */
export function identifierCounts(lines: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) for (const m of line.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) counts.set(m[0], (counts.get(m[0]) ?? 0) + 1);
  return counts;
}
