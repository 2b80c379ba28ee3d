import { chosenStepErrorCode, StepFailure } from '@weft/core';

/** What a handler's error may say besides its message. */
export interface HandlerErrorOptions {
  /** A stable code for the failure, shown on the run. Default: `step_failed`. */
  code?: string;
  /** What the run should record about it (JSON). */
  details?: unknown;
  cause?: unknown;
}

/**
 * Thrown by a handler: the node fails at once, whatever its retry policy (bad input, a refused
 * request, content that will never pass).
 */
export class NonRetriableError extends StepFailure {
  override name = 'NonRetriableError';

  constructor(message: string, options: HandlerErrorOptions = {}) {
    super(chosenStepErrorCode(options.code ?? 'step_failed'), message, {
      retryable: false,
      details: options.details,
      cause: options.cause,
    });
  }
}

/**
 * Thrown by a handler: the attempt fails and is retried by the node's policy, after `retryAfterMs`
 * if given (a provider's `Retry-After`). Any other throw is retried too, as `step_error`.
 */
export class RetryableError extends StepFailure {
  override name = 'RetryableError';

  constructor(message: string, options: HandlerErrorOptions & { retryAfterMs?: number } = {}) {
    super(chosenStepErrorCode(options.code ?? 'step_failed'), message, {
      retryable: true,
      details: options.details,
      cause: options.cause,
      ...(options.retryAfterMs === undefined ? {} : { retryAfterMs: options.retryAfterMs }),
    });
  }
}
