/**
 * Every error code the API answers with. Stable API: clients switch on them, so a code is never
 * renamed or reused for another meaning.
 */
export type ApiErrorCode =
  /** 400: the body is not JSON (or not a JSON object or array). */
  | 'malformed_json'
  /** 400: the body, a query parameter or a header does not have the required shape. */
  | 'invalid_request'
  /** 401: no `X-API-Key` or `Authorization: Bearer` header. */
  | 'missing_api_key'
  /** 401: the key is unknown or revoked. */
  | 'invalid_api_key'
  /** 401: `/metrics` without the `METRICS_TOKEN` it requires. */
  | 'invalid_metrics_token'
  /** 403: the body names an `appId` other than the API key's app. */
  | 'app_mismatch'
  /** 404: no such route. */
  | 'not_found'
  /** 404: the app has no workflow of this slug (or version), and no built-in has it. */
  | 'workflow_not_found'
  /** 404: the app has no run of this id (another app's runs are not found either). */
  | 'run_not_found'
  /** 404: the app has no artifact of this id. */
  | 'artifact_not_found'
  /** 404: the app's collection has no document of this id. */
  | 'document_not_found'
  /** 404: the app has no webhook endpoint (or delivery) of this id. */
  | 'webhook_not_found'
  | 'delivery_not_found'
  /** 409: the app has as many webhook endpoints as it may. */
  | 'webhook_limit_reached'
  /** 409: the app has as many working API keys as it may. */
  | 'key_limit_reached'
  /** 404: the app has no API key of this id (another app's keys are not found either). */
  | 'key_not_found'
  /** 409: cancel of a run that already completed, failed or timed out. */
  | 'run_already_ended'
  /** 409: resume of a run that is still going, or completed. */
  | 'run_not_resumable'
  /** 409: an `Idempotency-Key` reused with a different workflow or input. */
  | 'idempotency_key_reused'
  /** 408: the request's headers did not arrive in time. */
  | 'request_timeout'
  /** 413: the body is over the limit. */
  | 'payload_too_large'
  /** 415: a body that is not `application/json`. */
  | 'unsupported_media_type'
  /** 431: the request's headers are over Node's limit. */
  | 'headers_too_large'
  /** 422: the workflow definition (or plan) has errors; `details.diagnostics` lists them. */
  | 'invalid_definition'
  /** 422: a webhook URL we will not send to: not http(s), credentials in it, or a private address. */
  | 'invalid_webhook_url'
  /** 422: a vector whose dimensions differ from its index's. */
  | 'dimension_mismatch'
  /** 422: the run input does not fit the workflow's input parameters; `details.issues`. */
  | 'invalid_input'
  /** 429: the API key is over its per-minute request limit; `Retry-After` says when to retry. */
  | 'rate_limited'
  /** 429: too many failed authentications from this client address; `Retry-After` says when. */
  | 'too_many_auth_failures'
  /** 429: the key or app has as many live streams open as it may. */
  | 'too_many_streams'
  /** 500: a fault of ours; the body says nothing more, the log says everything. */
  | 'internal_error';

/** The HTTP status an error code is answered with. */
export function httpStatusOf(code: ApiErrorCode): number {
  switch (code) {
    case 'malformed_json':
    case 'invalid_request':
      return 400;
    case 'missing_api_key':
    case 'invalid_api_key':
    case 'invalid_metrics_token':
      return 401;
    case 'app_mismatch':
      return 403;
    case 'not_found':
    case 'workflow_not_found':
    case 'run_not_found':
    case 'artifact_not_found':
    case 'document_not_found':
    case 'key_not_found':
    case 'webhook_not_found':
    case 'delivery_not_found':
      return 404;
    case 'run_already_ended':
    case 'run_not_resumable':
    case 'idempotency_key_reused':
    case 'webhook_limit_reached':
    case 'key_limit_reached':
      return 409;
    case 'request_timeout':
      return 408;
    case 'payload_too_large':
      return 413;
    case 'unsupported_media_type':
      return 415;
    case 'headers_too_large':
      return 431;
    case 'invalid_definition':
    case 'invalid_input':
    case 'dimension_mismatch':
    case 'invalid_webhook_url':
      return 422;
    case 'rate_limited':
    case 'too_many_auth_failures':
    case 'too_many_streams':
      return 429;
    case 'internal_error':
      return 500;
  }
}

/** The body of every error answer. */
export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string; details: Record<string, unknown> };
}

/** An error to answer with: thrown anywhere in a handler, turned into a response by the app. */
export class ApiError extends Error {
  override name = 'ApiError';

  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get status(): number {
    return httpStatusOf(this.code);
  }

  toBody(): ApiErrorBody {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}
