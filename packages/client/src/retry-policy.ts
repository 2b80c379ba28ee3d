/** How the client retries: counts and delays. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  /** The first retry's delay before jitter, ms; each further one doubles. */
  baseDelayMs: number;
  /** No backoff delay exceeds this, ms. */
  maxDelayMs: number;
  /** A `Retry-After` longer than this is not waited for: the error is thrown instead, ms. */
  maxRetryAfterMs: number;
}

/** Defaults: 3 retries, 500 ms doubling to at most 20 s, Retry-After honoured up to 60 s. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  retries: 3,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 60_000,
});

/**
 * The delay before retry number `retry` (0 for the first): exponential, with "equal" jitter so
 * that clients failing together do not retry together, yet each waits at least half the delay.
 */
export function backoffDelayMs(retry: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * A `Retry-After` header in ms: delay-seconds (`120`) or an HTTP date. Undefined when absent or
 * unreadable; never negative.
 */
export function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** Connection errors that prove the request never reached a server, so any request may be retried. */
const NEVER_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * True when a fetch failure happened while connecting (refused, unknown host…): the request was
 * not sent, so retrying cannot repeat its effect. fetch wraps the cause; a multi-address connect
 * wraps it once more in an AggregateError.
 */
export function neverSent(error: unknown): boolean {
  const cause = (error as { cause?: unknown } | null)?.cause;
  for (const candidate of [error, cause]) {
    const code = codeOf(candidate);
    if (code !== undefined && NEVER_SENT_CODES.has(code)) return true;
    // An AggregateError, duck-typed: it may come from another realm.
    const inner = (candidate as { errors?: unknown } | null)?.errors;
    if (Array.isArray(inner) && inner.length > 0) {
      return inner.every((one) => NEVER_SENT_CODES.has(codeOf(one) ?? ''));
    }
  }
  return false;
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
