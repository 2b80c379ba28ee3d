import type { StepError } from '@weft/core';

/** A step failure with a stable code; retried after backoff unless `retryable` is false. */
export class StepFailure extends Error {
  override name = 'StepFailure';

  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    readonly details?: unknown,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.retryAfterMs = options?.retryAfterMs;
  }

  /** The provider asked for this long before another attempt. */
  readonly retryAfterMs: number | undefined;
}

/** Fail now, don't retry: bad input, refused content, a rejected credential. */
export class NonRetriableStepError extends StepFailure {
  override name = 'NonRetriableStepError';

  constructor(code: string, message: string, details?: unknown) {
    super(code, message, false, details);
  }
}

/** What a thrown value means as a step's error: unknown throws are retryable `step_error`s. */
export function toStepError(thrown: unknown): StepError {
  if (thrown instanceof StepFailure) {
    return {
      code: thrown.code,
      message: thrown.message,
      retryable: thrown.retryable,
      ...(thrown.retryAfterMs !== undefined ? { retryAfterMs: thrown.retryAfterMs } : {}),
      ...(thrown.details !== undefined ? { details: thrown.details } : {}),
    };
  }
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return { code: 'step_error', message, retryable: true };
}
