import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { API_ERROR_CODES, type ApiErrorCode } from './api-errors';
import { Diagnostic, Diagnostics } from './diagnostics';
import { RunStatus } from './runs';
import { anyObject, closedObject, component, nullable, ref, stringEnum } from './schema-kit';

export const RequestIssue = component(
  'RequestIssue',
  closedObject(
    {
      path: Type.String({
        description:
          'A JSON pointer into the body, or `query:<name>`, `param:<name>`, `path:<name>`, `header:<name>`.',
      }),
      message: Type.String(),
    },
    { description: 'One problem with a request.' },
  ),
);
export type RequestIssue = Static<typeof RequestIssue>;

export const ErrorCode = component(
  'ErrorCode',
  stringEnum(API_ERROR_CODES, {
    description: 'Stable: clients switch on it. A code is never renamed or reused.',
  }),
);

/** The details of a 429 that counts requests a minute. */
const retryLater = Type.Object({
  limitPerMinute: Type.Integer({ minimum: 1 }),
  retryAfterSeconds: Type.Integer({ minimum: 1 }),
});

const runOf = Type.Object({
  runId: Type.Optional(Type.String()),
  status: Type.Optional(ref(RunStatus)),
});

/** Error details by code, where the code says what they hold; the rest are any object. */
export const ERROR_DETAILS: Partial<Record<ApiErrorCode, TSchema>> = {
  invalid_request: Type.Object({ issues: Type.Optional(Type.Array(ref(RequestIssue))) }),
  app_mismatch: Type.Object({ appId: Type.Optional(Type.String()) }),
  not_found: Type.Object(
    { method: Type.Optional(Type.String()), path: Type.Optional(Type.String()) },
    { description: 'For a route that does not exist: its method and path.' },
  ),
  workflow_not_found: Type.Object({
    slug: Type.Optional(Type.String()),
    id: Type.Optional(Type.String()),
    version: Type.Optional(Type.Integer()),
  }),
  run_not_found: Type.Object({ runId: Type.Optional(Type.String()) }),
  task_type_not_found: Type.Object({
    name: Type.String(),
    builtIn: Type.Optional(Type.Boolean({ description: 'True when it names a built-in type.' })),
  }),
  run_already_ended: runOf,
  run_not_resumable: runOf,
  idempotency_key_reused: Type.Object({ runId: Type.Optional(Type.String()) }),
  payload_too_large: Type.Object({ limitBytes: Type.Integer({ minimum: 1 }) }),
  unsupported_media_type: Type.Object({ contentType: Type.Optional(nullable(Type.String())) }),
  invalid_definition: Type.Object({ diagnostics: ref(Diagnostics) }),
  invalid_webhook_url: Type.Object({
    issues: Type.Array(ref(RequestIssue)),
    reason: Type.Optional(Type.String()),
  }),
  invalid_input: Type.Object({ issues: Type.Array(ref(Diagnostic)) }),
  rate_limited: retryLater,
  too_many_auth_failures: retryLater,
  too_many_streams: closedObject({
    scope: stringEnum(['key', 'app'] as const),
    limit: Type.Integer({ minimum: 1 }),
  }),
  key_limit_reached: closedObject({ limit: Type.Integer({ minimum: 1 }) }),
  internal_error: closedObject({ requestId: Type.String() }),
};

export const ErrorBody = component(
  'Error',
  closedObject(
    {
      error: Type.Object(
        {
          code: ref(ErrorCode),
          message: Type.String({
            description: 'What went wrong, phrased so the caller can act on it.',
          }),
          details: anyObject({
            description: 'Always an object; what it holds depends on the code.',
          }),
        },
        {
          additionalProperties: false,
          allOf: Object.entries(ERROR_DETAILS).map(([code, details]) => ({
            if: { type: 'object', properties: { code: { const: code } } },
            then: { type: 'object', properties: { details } },
          })),
        },
      ),
    },
    { description: 'Every error answer: a stable `code`, a message and details.' },
  ),
);
export type ErrorBody = Static<typeof ErrorBody>;

/** The components of this module, by their names in the OpenAPI document. */
export const ERROR_COMPONENTS = { Error: ErrorBody, ErrorCode, RequestIssue };
