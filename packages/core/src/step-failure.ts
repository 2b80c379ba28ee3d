import type { StepError } from './envelope';
import {
  isRetryableCode,
  isSettledCode,
  isStepErrorCode,
  type NonRetriableStepErrorCode,
  type PerFailureStepErrorCode,
  type SettledStepErrorCode,
  type StepErrorCode,
} from './step-error-codes';

declare const chosen: unique symbol;

/** A code a workflow chose for `core/fail`: not one of ours, so the workflow says if it is retried. */
export type ChosenStepErrorCode = string & { readonly [chosen]: true };

/** Marks `code` as chosen by a workflow, the one way a code outside {@link StepErrorCode} is made. */
export function chosenStepErrorCode(code: string): ChosenStepErrorCode {
  return code as ChosenStepErrorCode;
}

/** What a failure adds to its code and message. */
export interface FailureFacts {
  /** What the step or provider said about it; recorded on the run, shown to the app. */
  details?: unknown;
  /** The provider asked for this long before another attempt (`Retry-After`). */
  retryAfterMs?: number;
  cause?: unknown;
}

/**
 * A settled code takes its retryability from {@link STEP_ERROR_RETRY}; a per-failure code, or one a
 * workflow chose, must say.
 */
export type StepFailureArgs<Facts extends FailureFacts = FailureFacts> =
  | [code: SettledStepErrorCode, message: string, facts?: Facts]
  | [
      code: PerFailureStepErrorCode | ChosenStepErrorCode,
      message: string,
      facts: Facts & { retryable: boolean },
    ];

/** A step failure with a stable code; retried after backoff unless `retryable` is false. */
export class StepFailure extends Error {
  override name = 'StepFailure';
  readonly code: StepErrorCode | ChosenStepErrorCode;
  readonly retryable: boolean;
  readonly details: unknown;
  /** The provider asked for this long before another attempt. */
  readonly retryAfterMs: number | undefined;

  constructor(...[code, message, facts]: StepFailureArgs) {
    super(message, facts?.cause === undefined ? undefined : { cause: facts.cause });
    this.code = code;
    // A workflow may choose one of our codes for `core/fail`; its `retryable` still stands.
    this.retryable =
      facts !== undefined && 'retryable' in facts
        ? facts.retryable
        : isStepErrorCode(code) && isSettledCode(code) && isRetryableCode(code);
    this.details = facts?.details;
    this.retryAfterMs = facts?.retryAfterMs;
  }
}

/** Fail now, don't retry: bad input, refused content, a rejected credential. */
export class NonRetriableStepError extends StepFailure {
  override name = 'NonRetriableStepError';

  constructor(code: NonRetriableStepErrorCode, message: string, details?: unknown) {
    super(...nonRetriable(code, message, details));
  }
}

function nonRetriable(
  code: NonRetriableStepErrorCode,
  message: string,
  details: unknown,
): StepFailureArgs {
  // A terminal code is not retried by its nature; a per-failure one is told so here.
  return isSettledCode(code)
    ? [code, message, { details }]
    : [code, message, { details, retryable: false }];
}

/** The wire form of a failure whose code decides its retryability. */
export function stepError(
  code: SettledStepErrorCode,
  message: string,
  details?: unknown,
): StepError {
  return {
    code,
    message,
    retryable: isRetryableCode(code),
    ...(details !== undefined ? { details } : {}),
  };
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
  return stepError('step_error', message);
}
