import fc from 'fast-check';
import {
  backoffDelay,
  DEFAULT_RETRY_POLICY,
  MAX_RETRY_AFTER_MS,
  resolveRetryPolicy,
  retryDecision,
  transientRetryDelayMs,
} from './backoff';

describe('backoffDelay', () => {
  it('grows exponentially from the defaults, with equal jitter by default', () => {
    expect(resolveRetryPolicy()).toEqual(DEFAULT_RETRY_POLICY);
    expect([1, 2, 3, 4].map((attempt) => backoffDelay(undefined, attempt, () => 0))).toEqual([
      500, 1000, 2000, 4000,
    ]);
    expect([1, 2, 3, 4].map((attempt) => backoffDelay({}, attempt, () => 0.999999))).toEqual([
      999, 1999, 3999, 7999,
    ]);
  });

  it('spreads full jitter over [0, delay) and caps at max_delay_ms', () => {
    expect(backoffDelay({ jitter: 'full' }, 3, () => 0)).toBe(0);
    expect(backoffDelay({ jitter: 'full' }, 3, () => 0.5)).toBe(2000);
    expect(backoffDelay({ max_delay_ms: 5000 }, 30, () => 0.999)).toBeLessThanOrEqual(5000);
    expect(backoffDelay({ max_delay_ms: 5000, jitter: 'full' }, 1000, () => 1)).toBeLessThanOrEqual(
      5000,
    );
  });

  it('is deterministic given random and always within bounds', () => {
    fc.assert(
      fc.property(
        fc.record({
          initial_delay_ms: fc.integer({ min: 0, max: 100_000 }),
          backoff_coefficient: fc.double({ min: 1, max: 10, noNaN: true }),
          max_delay_ms: fc.integer({ min: 0, max: 1_000_000 }),
          jitter: fc.constantFrom('full' as const, 'equal' as const),
        }),
        fc.integer({ min: -5, max: 1000 }),
        fc.double({ noNaN: false }),
        (policy, attempt, r) => {
          const delay = backoffDelay(policy, attempt, () => r);
          expect(delay).toBe(backoffDelay(policy, attempt, () => r));
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(policy.max_delay_ms);
        },
      ),
    );
  });
});

describe('retryDecision', () => {
  const retryable = { code: 'provider_timeout', retryable: true };

  it('retries until max_attempts is used up', () => {
    expect(retryDecision(undefined, 1, retryable, () => 0)).toEqual({ retry: true, delayMs: 500 });
    expect(retryDecision(undefined, 2, retryable, () => 0)).toEqual({ retry: true, delayMs: 1000 });
    expect(retryDecision(undefined, 3, retryable, () => 0)).toEqual({
      retry: false,
      reason: 'attempts_exhausted',
    });
    expect(retryDecision({ max_attempts: 1 }, 1, retryable, () => 0)).toEqual({
      retry: false,
      reason: 'attempts_exhausted',
    });
  });

  it('never retries non-retryable errors', () => {
    expect(
      retryDecision(undefined, 1, { code: 'invalid_input', retryable: false }, () => 0),
    ).toEqual({ retry: false, reason: 'non_retryable' });
    expect(
      retryDecision(
        { non_retryable_errors: ['content_refused'] },
        1,
        { code: 'content_refused', retryable: true },
        () => 0,
      ),
    ).toEqual({
      retry: false,
      reason: 'non_retryable',
    });
  });

  it("waits at least the provider's Retry-After, within a bound", () => {
    const limited = { code: 'provider_rate_limited', retryable: true };
    expect(retryDecision(undefined, 1, { ...limited, retryAfterMs: 7000 }, () => 0)).toEqual({
      retry: true,
      delayMs: 7000,
    });
    // A shorter Retry-After than the backoff does not hurry the retry.
    expect(retryDecision(undefined, 2, { ...limited, retryAfterMs: 10 }, () => 0)).toEqual({
      retry: true,
      delayMs: 1000,
    });
    expect(
      retryDecision(undefined, 1, { ...limited, retryAfterMs: 24 * 3_600_000 }, () => 0),
    ).toEqual({ retry: true, delayMs: MAX_RETRY_AFTER_MS });
  });
});

describe('transientRetryDelayMs', () => {
  it('starts at 100 ms, doubles, and stays at 5 s', () => {
    expect([0, 1, 2, 5, 6, 50].map(transientRetryDelayMs)).toEqual([
      100, 200, 400, 3200, 5000, 5000,
    ]);
  });
});
