/** Levenshtein distance, for suggestions. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * The known names closest to a mistyped one (at most three, nearest first, ties by name), as
 * commander suggests commands: within a third of the name's length, so unrelated names stay out.
 */
export function closestNames(name: string, known: Iterable<string>): string[] {
  const limit = Math.max(2, Math.floor(name.length / 3));
  return [...known]
    .map((k) => ({ k, d: editDistance(name, k) }))
    .filter((c) => c.d <= limit)
    .sort((a, b) => a.d - b.d || (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .slice(0, 3)
    .map((c) => c.k);
}

/** ` (did you mean //a or //b?)`, or nothing. */
export function didYouMean(name: string, known: Iterable<string>): string {
  const near = closestNames(name, known).map((k) => `//${k}`);
  return near.length === 0 ? '' : ` (did you mean ${near.join(' or ')}?)`;
}
