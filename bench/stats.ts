/**
 * The little statistics the benchmark reports: median with min/max over runs, percentiles of
 * latencies, a least-squares line, and the growth exponent fitted on a log-log scale.
 */

/** A figure measured over several runs. */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: readonly number[];
}

/** The `p`-th percentile (0–100) of `values`, nearest-rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** The median (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function summarize(runs: readonly number[]): Summary {
  return { median: median(runs), min: Math.min(...runs), max: Math.max(...runs), runs };
}

/** The least-squares line through the points: `y ≈ intercept + slope · x`. */
export function linearFit(xs: readonly number[], ys: readonly number[]): { readonly slope: number; readonly intercept: number } {
  const n = xs.length;
  const meanX = xs.reduce((sum, x) => sum + x, 0) / n;
  const meanY = ys.reduce((sum, y) => sum + y, 0) / n;
  let numerator = 0;
  let denominator = 0;
  for (let i = 0; i < n; i++) {
    numerator += (xs[i]! - meanX) * (ys[i]! - meanY);
    denominator += (xs[i]! - meanX) ** 2;
  }
  const slope = numerator / denominator;
  return { slope, intercept: meanY - slope * meanX };
}

/**
 * The exponent `k` of `y ≈ c · xᵏ`, fitted on log-log scales: 1 is linear growth, 2 quadratic,
 * 0 flat. Needs at least two points with distinct positive `x`.
 */
export function growthExponent(xs: readonly number[], ys: readonly number[]): number {
  return linearFit(
    xs.map((x) => Math.log(x)),
    ys.map((y) => Math.log(Math.max(y, Number.MIN_VALUE))),
  ).slope;
}

/** CPU time of this process so far (user + system), in ms. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
