/** "Did you mean …?": the known name closest to a misspelt one, when one is close enough to be meant. */

/**
 * The name in `known` closest to `name` by edit distance (insertions, deletions, substitutions
 * and swaps of neighbours; case ignored), if it is close enough to be a slip: one edit for names
 * of up to four letters, two up to eight, three beyond. A plural and its singular count as the same
 * name (`retries` is a slip for `retry`, `approver` for `approvers`).
 *
 * @example
 * ```ts
 * closest('concurency', ['concurrency', 'clock']); // 'concurrency'
 * closest('retries', ['timeoutMs', 'retry']);       // 'retry'
 * closest('zzz', ['concurrency', 'clock']);        // undefined
 * ```
 */
export function closest(name: string, known: Iterable<string>): string | undefined {
  const allowed = name.length <= 4 ? 1 : name.length <= 8 ? 2 : 3;
  const written = name.toLowerCase();
  const writtenSingular = singular(written);
  let best: string | undefined;
  let bestDistance = allowed + 1;
  for (const candidate of known) {
    const lower = candidate.toLowerCase();
    const distance = Math.min(editDistance(written, lower), editDistance(writtenSingular, singular(lower)));
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

/** An English plural's singular, for comparing names: `retries` → `retry`, `approvers` → `approver`. */
function singular(name: string): string {
  if (name.length > 4 && name.endsWith('ies')) return `${name.slice(0, -3)}y`;
  if (name.length > 3 && name.endsWith('s') && !name.endsWith('ss')) return name.slice(0, -1);
  return name;
}

/** Optimal string alignment distance (Levenshtein with swaps of adjacent letters). */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) distance = Math.min(distance, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = distance;
    }
  }
  return rows[a.length]![b.length]!;
}
