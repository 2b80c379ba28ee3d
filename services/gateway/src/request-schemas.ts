import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import {
  CreateAppRequest,
  CreateWebhookRequest,
  RunRequest,
  SaveWorkflowRequest,
  SearchVectorsRequest,
  UpdateWebhookRequest,
  UpsertVectorRequest,
  type RequestIssue,
} from '@weft/contract';
import { ApiError } from './api-error';

export type {
  CreateAppRequest,
  CreateWebhookRequest,
  RequestIssue,
  RunRequest,
  SaveWorkflowRequest,
  SearchVectorsRequest,
  UpdateWebhookRequest,
  UpsertVectorRequest,
};

// verbose: a pattern's error then carries its schema, whose description says what was expected.
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });

/** Validates a `POST /v1/workflows/run` body. */
export const validateRunRequest = ajv.compile<RunRequest>(RunRequest);

/** Validates a `POST /v1/workflows` body. */
export const validateSaveWorkflowRequest = ajv.compile<SaveWorkflowRequest>(SaveWorkflowRequest);

/** Validates a `PUT /v1/indexes/:index/items/:id` body. */
export const validateUpsertVectorRequest = ajv.compile<UpsertVectorRequest>(UpsertVectorRequest);

/** Validates a `POST /v1/indexes/:index/search` body. */
export const validateSearchVectorsRequest = ajv.compile<SearchVectorsRequest>(SearchVectorsRequest);

/** Validates a `POST /v1/admin/apps` body. */
export const validateCreateAppRequest = ajv.compile<CreateAppRequest>(CreateAppRequest);

/** Validates a `POST /v1/webhooks` body. */
export const validateCreateWebhookRequest = ajv.compile<CreateWebhookRequest>(CreateWebhookRequest);

/** Validates a `PATCH /v1/webhooks/:id` body. */
export const validateUpdateWebhookRequest = ajv.compile<UpdateWebhookRequest>(UpdateWebhookRequest);

function describe(error: ErrorObject): RequestIssue {
  const path = error.instancePath;
  switch (error.keyword) {
    case 'additionalProperties': {
      const property = (error.params as { additionalProperty: string }).additionalProperty;
      return { path: `${path}/${property}`, message: `unknown property "${property}"` };
    }
    case 'required': {
      const property = (error.params as { missingProperty: string }).missingProperty;
      return { path: `${path}/${property}`, message: `"${property}" is required` };
    }
    case 'pattern': {
      const expected = (error.parentSchema as { description?: string } | undefined)?.description;
      return { path, message: `must be ${expected ?? 'of the documented form'}` };
    }
    default:
      return { path, message: error.message ?? 'is not valid' };
  }
}

/**
 * The body as `T` when `validate` accepts it; otherwise throws 400 `invalid_request` listing
 * every problem in `details.issues`.
 */
export function parseBody<T>(validate: ValidateFunction<T>, body: unknown): T {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError('invalid_request', 'The request body must be a JSON object', {
      issues: [{ path: '', message: 'must be a JSON object' }],
    });
  }
  if (validate(body)) return body;
  const issues = (validate.errors ?? []).map(describe);
  const first = issues[0];
  throw new ApiError(
    'invalid_request',
    first
      ? `The request body is not valid: ${first.path || 'body'} ${first.message}`
      : 'The request body is not valid',
    { issues },
  );
}
