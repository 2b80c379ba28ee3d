/**
 * Every code a step failure of this engine carries. Runs keep them and `weft_step_failures_total`
 * is labelled by them, so a code is never renamed: stored runs and older workers still use it.
 */
export const STEP_ERROR_CODES = [
  // The attempt itself: its time, its worker, its run.
  'aborted',
  'step_timeout',
  'step_error',
  'worker_stopping',
  'worker_lost',
  'run_ended',
  // What the engine checks around a handler.
  'unknown_task',
  'invalid_input',
  'invalid_output',
  'output_too_large',
  'inputs_too_large',
  'unresolved_reference',
  'malformed_reference',
  'forbidden_path_segment',
  'invalid_inputs',
  'missing_model',
  // Providers, remote or local.
  'provider_not_configured',
  'provider_mismatch',
  'provider_rate_limited',
  'provider_unavailable',
  'provider_timeout',
  'provider_unreachable',
  'provider_auth_failed',
  'provider_rejected',
  'provider_bad_response',
  'invalid_request',
  'invalid_image',
  // Media a step reads: our artifacts, `data:` URLs, anything else through the SSRF guard.
  'media_not_found',
  'invalid_media_url',
  'invalid_url',
  'url_not_allowed',
  'address_not_allowed',
  'media_timeout',
  'media_connection_failed',
  'media_aborted',
  'media_address_not_allowed',
  'media_url_not_allowed',
  'media_invalid_url',
  'media_too_many_redirects',
  'media_http_status',
  'media_too_large',
  // Steps with effects of their own.
  'dimension_mismatch',
  'webhook_failed',
  // http_request: the answer it met, or why there was none.
  'http_status',
  'http_timeout',
  'http_connection_failed',
  'http_too_many_redirects',
  'http_too_large',
  'secret_not_available',
] as const;

export type StepErrorCode = (typeof STEP_ERROR_CODES)[number];

/**
 * Whether another attempt of a failure with this code could succeed: always, never, or
 * `per_failure` when only the failure knows (the HTTP status it met, the webhooks that refused).
 */
export type StepErrorRetry = 'retryable' | 'terminal' | 'per_failure';

/** The one place a code's retryability is decided; a new code does not compile until it is here. */
export const STEP_ERROR_RETRY = {
  aborted: 'retryable',
  step_timeout: 'retryable',
  // A throw no handler classified: most are transient (a dropped connection, a full disk).
  step_error: 'retryable',
  worker_stopping: 'retryable',
  // Its holder's lease ran out (the worker died, hung or lost the broker): another attempt runs.
  worker_lost: 'retryable',
  run_ended: 'terminal',
  unknown_task: 'terminal',
  invalid_input: 'terminal',
  invalid_output: 'terminal',
  output_too_large: 'terminal',
  inputs_too_large: 'terminal',
  unresolved_reference: 'terminal',
  malformed_reference: 'terminal',
  forbidden_path_segment: 'terminal',
  invalid_inputs: 'terminal',
  missing_model: 'terminal',
  provider_not_configured: 'terminal',
  provider_mismatch: 'terminal',
  provider_rate_limited: 'retryable',
  provider_unavailable: 'retryable',
  provider_timeout: 'retryable',
  provider_unreachable: 'retryable',
  provider_auth_failed: 'terminal',
  provider_rejected: 'terminal',
  // A malformed 2xx body may be a glitch; no images, or a redirect, will not change.
  provider_bad_response: 'per_failure',
  invalid_request: 'terminal',
  invalid_image: 'terminal',
  media_not_found: 'terminal',
  invalid_media_url: 'terminal',
  invalid_url: 'terminal',
  url_not_allowed: 'terminal',
  address_not_allowed: 'terminal',
  media_timeout: 'retryable',
  media_connection_failed: 'retryable',
  media_aborted: 'retryable',
  media_address_not_allowed: 'terminal',
  media_url_not_allowed: 'terminal',
  media_invalid_url: 'terminal',
  media_too_many_redirects: 'terminal',
  // A 4xx stays wrong (but 408 and 429); a 5xx may answer next time.
  media_http_status: 'per_failure',
  media_too_large: 'terminal',
  dimension_mismatch: 'terminal',
  // Retried unless a target refused for good.
  webhook_failed: 'per_failure',
  // A 4xx stays wrong (but 408 and 429); a 5xx may answer next time.
  http_status: 'per_failure',
  http_timeout: 'retryable',
  http_connection_failed: 'retryable',
  http_too_many_redirects: 'terminal',
  http_too_large: 'terminal',
  // The worker's configuration decides, and it does not change between attempts.
  secret_not_available: 'terminal',
} as const satisfies Record<StepErrorCode, StepErrorRetry>;

type CodesWhere<Retry extends StepErrorRetry> = {
  [Code in StepErrorCode]: (typeof STEP_ERROR_RETRY)[Code] extends Retry ? Code : never;
}[StepErrorCode];

/** Codes whose retryability the code alone decides. */
export type SettledStepErrorCode = CodesWhere<'retryable' | 'terminal'>;
/** Codes whose failures each say whether they are retryable. */
export type PerFailureStepErrorCode = CodesWhere<'per_failure'>;
/** Codes that may fail a node without another attempt. */
export type NonRetriableStepErrorCode = CodesWhere<'terminal' | 'per_failure'>;

const KNOWN = new Set<string>(STEP_ERROR_CODES);

/**
 * Whether `code` is one of ours. Codes from the wire or a stored run may be anything: an older
 * worker's, or one a workflow chose for `core/fail`.
 */
export function isStepErrorCode(code: string): code is StepErrorCode {
  return KNOWN.has(code);
}

/** Whether a failure with this settled code is retried. */
export function isRetryableCode(code: SettledStepErrorCode): boolean {
  return STEP_ERROR_RETRY[code] === 'retryable';
}

/** Whether `code` decides its own retryability (true), or each failure does. */
export function isSettledCode(code: StepErrorCode): code is SettledStepErrorCode {
  return STEP_ERROR_RETRY[code] !== 'per_failure';
}

/** Whether a recorded error has `code`: the record may hold any string, `code` is one of ours. */
export function hasStepErrorCode(
  error: { code: string } | undefined,
  code: StepErrorCode,
): boolean {
  return error?.code === code;
}
