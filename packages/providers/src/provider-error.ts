/**
 * A provider call that failed, said in the engine's terms: a stable `code`, whether another attempt
 * could succeed, and how long the provider asked us to wait. Steps turn it into a step failure.
 * Messages never carry credentials.
 */
export class ProviderError extends Error {
  override name = 'ProviderError';

  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    readonly extra: {
      /** The provider's HTTP status, when it answered. */
      status?: number;
      /** From `Retry-After`: the earliest the provider wants to see a retry. */
      retryAfterMs?: number;
      /** The provider's own error body, trimmed; safe to show the app that made the call. */
      details?: unknown;
      cause?: unknown;
    } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
  }
}
