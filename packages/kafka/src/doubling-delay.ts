/**
 * How long to wait before trying again after `failures` failures in a row: `baseMs`, doubling
 * with each failure, never more than `capMs`.
 */
export function doublingDelayMs(baseMs: number, capMs: number, failures: number): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, failures));
}
