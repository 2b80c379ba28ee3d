// Small figures shared by the benchmarks: percentiles over raw samples, nothing fitted.

/** The value at percentile `p` (0–100) of an ascending array, nearest-rank; NaN when empty. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** p50, p99 and p99.9 of `values` (in any order), with how many there were. */
export function summary(values: number[]): { p50: number; p99: number; p999: number; n: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    p999: percentile(sorted, 99.9),
    n: sorted.length,
  };
}
