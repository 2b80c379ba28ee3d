/**
 * The published retry schedule: after the first attempt fails, the next ones follow these delays —
 * 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h — eight attempts over about 27.5 hours.
 */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
];

/**
 * When attempt `attempts + 1` should happen after `attempts` failed ones, or undefined when the
 * schedule is used up. Jitter takes up to a fifth off each delay, so receivers that fail together
 * are not retried together; a `Retry-After` the receiver sent is a floor.
 */
export function nextAttemptDelay(
  schedule: readonly number[],
  attempts: number,
  random: () => number,
  retryAfterMs?: number,
): number | undefined {
  const base = schedule[attempts - 1];
  if (base === undefined) return undefined;
  const jittered = Math.round(base * (1 - 0.2 * Math.min(Math.max(random(), 0), 1)));
  return Math.max(jittered, retryAfterMs ?? 0);
}
