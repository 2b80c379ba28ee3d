// Plain values, no schemas: the client and the console take these without the schema library.

import { DEFAULT_ARTIFACT_LIMIT_BYTES, MAX_WEBHOOK_ENDPOINTS } from './names';

/**
 * Every error code the API answers with, its HTTP status and what it means. Stable API: clients
 * switch on the codes, so a code is never renamed or reused for another meaning.
 */
export const API_ERRORS = {
  malformed_json: { status: 400, meaning: 'The body is not JSON (or not a JSON object or array).' },
  invalid_request: {
    status: 400,
    meaning:
      'The body, a query parameter, a path parameter or a header does not have the required shape; `details.issues` lists each problem.',
  },
  missing_api_key: { status: 401, meaning: 'No `X-API-Key` or `Authorization: Bearer` header.' },
  invalid_api_key: { status: 401, meaning: 'The API key is unknown or revoked.' },
  invalid_metrics_token: {
    status: 401,
    meaning:
      '`/metrics` of a gateway with `METRICS_TOKEN` set, without `Authorization: Bearer <token>`.',
  },
  missing_admin_token: {
    status: 401,
    meaning: 'An admin route without `Authorization: Bearer <ADMIN_TOKEN>`.',
  },
  invalid_admin_token: {
    status: 401,
    meaning: "The bearer token is not the gateway's `ADMIN_TOKEN`.",
  },
  app_mismatch: { status: 403, meaning: "The body's `appId` is not the API key's app." },
  not_found: { status: 404, meaning: 'No such route.' },
  workflow_not_found: {
    status: 404,
    meaning:
      'The app has no workflow of this slug or id (or no such version), and no built-in template has it.',
  },
  run_not_found: {
    status: 404,
    meaning: "The app has no run of this id (another app's runs are not found either).",
  },
  artifact_not_found: { status: 404, meaning: 'The app has no artifact of this id.' },
  document_not_found: { status: 404, meaning: "The app's collection has no document of this id." },
  webhook_not_found: { status: 404, meaning: 'The app has no webhook endpoint of this id.' },
  delivery_not_found: { status: 404, meaning: 'The app has no webhook delivery of this id.' },
  key_not_found: { status: 404, meaning: 'The app has no API key of this id.' },
  app_not_found: { status: 404, meaning: 'No app has this id.' },
  task_type_not_found: {
    status: 404,
    meaning:
      'No task type of this name is registered (a built-in one cannot be removed); `details.name`.',
  },
  webhook_limit_reached: {
    status: 409,
    meaning: `The app already has ${MAX_WEBHOOK_ENDPOINTS} webhook endpoints.`,
  },
  key_limit_reached: {
    status: 409,
    meaning:
      'The app already holds `MAX_KEYS_PER_APP` working keys (a gateway setting); revoke one first. `details.limit`.',
  },
  run_already_ended: {
    status: 409,
    meaning: 'Cancel of a run that already completed, failed or timed out.',
  },
  run_not_resumable: { status: 409, meaning: 'Resume of a run that is still going, or completed.' },
  idempotency_key_reused: {
    status: 409,
    meaning: 'An `Idempotency-Key` reused with another workflow or input.',
  },
  request_timeout: { status: 408, meaning: "The request's headers did not arrive in time." },
  payload_too_large: {
    status: 413,
    meaning: "The body is over the gateway's limit (`BODY_LIMIT_BYTES`); `details.limitBytes`.",
  },
  artifact_too_large: {
    status: 413,
    meaning: `An artifact upload over the gateway's limit (\`ARTIFACT_LIMIT_BYTES\`, default ${DEFAULT_ARTIFACT_LIMIT_BYTES}); \`details.limitBytes\`. Nothing was stored.`,
  },
  unsupported_media_type: { status: 415, meaning: 'A body that is not `application/json`.' },
  headers_too_large: { status: 431, meaning: "The request's headers are over the server's limit." },
  invalid_definition: {
    status: 422,
    meaning: 'The workflow definition (or plan) has errors; `details.diagnostics` lists them.',
  },
  invalid_webhook_url: {
    status: 422,
    meaning:
      'A webhook URL we will not send to: not http(s), credentials in it, or a loopback, private, link-local or CGNAT address.',
  },
  dimension_mismatch: { status: 422, meaning: "A vector whose length differs from its index's." },
  invalid_input: {
    status: 422,
    meaning:
      "The run input does not fit the workflow's input parameters; `details.issues` lists the diagnostics.",
  },
  rate_limited: {
    status: 429,
    meaning: 'The API key is over its per-minute request limit; `Retry-After` says when to retry.',
  },
  too_many_auth_failures: {
    status: 429,
    meaning:
      'Requests from this client address presented invalid API keys (or admin tokens) `AUTH_FAILURES_PER_MINUTE` times (a gateway setting) in a minute; it is refused unread until `Retry-After`.',
  },
  too_many_streams: {
    status: 429,
    meaning:
      'The API key or its app holds as many open event streams as it may; `details.scope` says which, `details.limit` how many.',
  },
  internal_error: {
    status: 500,
    meaning: 'A fault of ours; `details.requestId` matches the log line, and nothing else is said.',
  },
} as const satisfies Record<string, { status: number; meaning: string }>;

/** An error code of the API. */
export type ApiErrorCode = keyof typeof API_ERRORS;

/** Every error code, in the order of {@link API_ERRORS}. */
export const API_ERROR_CODES = Object.keys(API_ERRORS) as ApiErrorCode[];

/** The HTTP status an error code is answered with. */
export function httpStatusOf(code: ApiErrorCode): number {
  return API_ERRORS[code].status;
}
