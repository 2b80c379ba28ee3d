import { DEFAULT_RETRY_SCHEDULE_MS, nextAttemptDelay } from './retry-schedule';

describe('nextAttemptDelay', () => {
  it('follows the published schedule, with up to a fifth of jitter taken off', () => {
    expect(nextAttemptDelay(DEFAULT_RETRY_SCHEDULE_MS, 1, () => 0)).toBe(5_000);
    expect(nextAttemptDelay(DEFAULT_RETRY_SCHEDULE_MS, 1, () => 1)).toBe(4_000);
    expect(nextAttemptDelay(DEFAULT_RETRY_SCHEDULE_MS, 2, () => 0)).toBe(300_000);
    expect(nextAttemptDelay(DEFAULT_RETRY_SCHEDULE_MS, 7, () => 0.5)).toBe(32_400_000);
  });

  it('stops after the last scheduled retry', () => {
    expect(nextAttemptDelay(DEFAULT_RETRY_SCHEDULE_MS, 8, () => 0)).toBeUndefined();
    expect(nextAttemptDelay([], 1, () => 0)).toBeUndefined();
  });

  it('waits at least as long as Retry-After asks', () => {
    expect(nextAttemptDelay(DEFAULT_RETRY_SCHEDULE_MS, 1, () => 0, 60_000)).toBe(60_000);
    expect(nextAttemptDelay(DEFAULT_RETRY_SCHEDULE_MS, 2, () => 0, 1_000)).toBe(300_000);
  });
});
