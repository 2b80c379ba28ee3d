import {
  StepFailure,
  type FailureFacts,
  type StepErrorCode,
  type StepFailureArgs,
} from '@weft/core';

/** What a provider's answer said beyond the code and message. */
export interface ProviderFacts extends FailureFacts {
  /** The provider's HTTP status, when it answered. */
  status?: number;
  /** From `Retry-After`: the earliest the provider wants to see a retry. */
  retryAfterMs?: number;
  /** The provider's own error body, trimmed; safe to show the app that made the call. */
  details?: unknown;
}

/**
 * A provider call that failed, said in the engine's terms: a stable `code`, whether another attempt
 * could succeed, and how long the provider asked us to wait. A step failure as it is, so a step
 * lets it through. Messages never carry credentials.
 */
export class ProviderError extends StepFailure {
  override name = 'ProviderError';
  // Providers fail with the engine's codes only; workflows choose codes for `core/fail` alone.
  declare readonly code: StepErrorCode;
  /** The facts as the provider's answer gave them, the HTTP status among them. */
  readonly extra: ProviderFacts;

  constructor(...args: StepFailureArgs<ProviderFacts>) {
    super(...args);
    const { retryable: _decided, ...extra }: ProviderFacts & { retryable?: boolean } =
      args[2] ?? {};
    this.extra = extra;
  }
}
