/**
 * The candidate closest to a mistyped word (`pussh` → `push`, `yess` → `yes`, `ad` → `add`), if one is close
 * enough to be what was meant: at most one edit for short words, a third of the word's length for long ones.
 */
export function closestWord(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of new Set(candidates)) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance <= limit && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

/** ` Did you mean "x"?` when a candidate is close, else nothing. */
export function didYouMean(word: string, candidates: Iterable<string>, format: (candidate: string) => string = (c) => c): string {
  const closest = closestWord(word, candidates);
  return closest === undefined ? '' : ` Did you mean "${format(closest)}"?`;
}

/** Levenshtein distance, with a swap of two neighbours counting as one edit (`psuh` → `push`). */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}
