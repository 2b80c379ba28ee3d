import type { RetryPolicy } from './definition-types';

/** A retry policy with every default applied. */
export type ResolvedRetryPolicy = Required<RetryPolicy>;

/**
 * Defaults for a node without (part of) a retry policy: 3 attempts, 1 s then doubling, capped at
 * 60 s, equal jitter (at least half the delay, so a retry never fires at once), nothing non-retryable.
 */
export const DEFAULT_RETRY_POLICY: Readonly<ResolvedRetryPolicy> = Object.freeze({
  max_attempts: 3,
  initial_delay_ms: 1000,
  backoff_coefficient: 2,
  max_delay_ms: 60_000,
  non_retryable_errors: [],
  jitter: 'equal',
});

/** The policy with defaults filled in. */
export function resolveRetryPolicy(policy: RetryPolicy = {}): ResolvedRetryPolicy {
  return {
    max_attempts: policy.max_attempts ?? DEFAULT_RETRY_POLICY.max_attempts,
    initial_delay_ms: policy.initial_delay_ms ?? DEFAULT_RETRY_POLICY.initial_delay_ms,
    backoff_coefficient: policy.backoff_coefficient ?? DEFAULT_RETRY_POLICY.backoff_coefficient,
    max_delay_ms: policy.max_delay_ms ?? DEFAULT_RETRY_POLICY.max_delay_ms,
    non_retryable_errors: policy.non_retryable_errors ?? [
      ...DEFAULT_RETRY_POLICY.non_retryable_errors,
    ],
    jitter: policy.jitter ?? DEFAULT_RETRY_POLICY.jitter,
  };
}

function unit(random: () => number): number {
  const value = random();
  if (!Number.isFinite(value) || value < 0) return 0;
  return value >= 1 ? 1 - Number.EPSILON : value;
}

/**
 * Delay in whole ms before the attempt after `attempt` (1-based: attempt 1 failed → first retry):
 * initial × coefficient^(attempt−1), capped at max_delay_ms, then jittered. Deterministic given `random`.
 */
export function backoffDelay(
  policy: RetryPolicy | undefined,
  attempt: number,
  random: () => number,
): number {
  const resolved = resolveRetryPolicy(policy);
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  const growth = Math.pow(resolved.backoff_coefficient, exponent);
  const uncapped = resolved.initial_delay_ms === 0 ? 0 : resolved.initial_delay_ms * growth;
  const base = Math.min(resolved.max_delay_ms, uncapped);
  const r = unit(random);
  const delay = resolved.jitter === 'full' ? r * base : base / 2 + (r * base) / 2;
  return Math.min(resolved.max_delay_ms, Math.floor(delay));
}

/**
 * How long to wait before trying again an operation on a dependency that is away for a moment
 * (the database or the broker restarting), after it failed `failures` times in a row: 100 ms,
 * doubling, at most 5 s. Not a step's retry policy: the work waits, it does not fail.
 */
export function transientRetryDelayMs(failures: number): number {
  return Math.min(5_000, 100 * 2 ** Math.max(0, failures));
}

/** A failed attempt's error as retry logic sees it. */
export interface AttemptError {
  code: string;
  /** False for permanent failures (bad input, refused content): never retried. */
  retryable: boolean;
  /** The provider's `Retry-After`: the retry waits at least this long (up to MAX_RETRY_AFTER_MS). */
  retryAfterMs?: number;
}

/** The longest a provider's `Retry-After` may hold a retry back; the step deadline still applies. */
export const MAX_RETRY_AFTER_MS = 15 * 60_000;

/** Whether to retry after a failed attempt, and after how long. */
export type RetryDecision =
  | { retry: true; delayMs: number }
  | { retry: false; reason: 'non_retryable' | 'attempts_exhausted' };

/** Decides what follows failed attempt number `attempt` (1-based) under `policy`. */
export function retryDecision(
  policy: RetryPolicy | undefined,
  attempt: number,
  error: AttemptError,
  random: () => number,
): RetryDecision {
  const resolved = resolveRetryPolicy(policy);
  if (!error.retryable || resolved.non_retryable_errors.includes(error.code)) {
    return { retry: false, reason: 'non_retryable' };
  }
  if (attempt >= resolved.max_attempts) return { retry: false, reason: 'attempts_exhausted' };
  const backoff = backoffDelay(resolved, attempt, random);
  const asked = Math.min(MAX_RETRY_AFTER_MS, Math.max(0, Math.ceil(error.retryAfterMs ?? 0)));
  return { retry: true, delayMs: Math.max(backoff, asked) };
}
