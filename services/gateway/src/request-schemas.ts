import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import {
  MAX_WEBHOOK_URL_LENGTH,
  RunRequest,
  SaveWorkflowRequest,
  type RequestIssue,
} from '@weft/contract';
import { DISPLAY_TEXT_PATTERN, DISPLAY_TEXT_RULE } from '@weft/core';
import { MAX_VECTOR_DIMENSIONS } from '@weft/store';
import { ApiError } from './api-error';

export type { RequestIssue, RunRequest, SaveWorkflowRequest };

/** `PUT /v1/indexes/:index/items/:id`. */
export interface UpsertVectorRequest {
  vector: number[];
  metadata?: Record<string, unknown>;
}

/** `POST /v1/indexes/:index/search`. */
export interface SearchVectorsRequest {
  vector: number[];
  top_k?: number;
}

const vectorSchema = {
  type: 'array',
  minItems: 1,
  maxItems: MAX_VECTOR_DIMENSIONS,
  items: { type: 'number' },
} as const;

const upsertVectorRequestSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { vector: vectorSchema, metadata: { type: 'object' } },
  required: ['vector'],
} as const;

const searchVectorsRequestSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { vector: vectorSchema, top_k: { type: 'integer', minimum: 1, maximum: 100 } },
  required: ['vector'],
} as const;

/** `POST /v1/webhooks` and `PATCH /v1/webhooks/:id`. */
export interface WebhookEndpointRequest {
  url?: string;
  events?: string[];
  description?: string;
  enabled?: boolean;
}

const webhookEndpointProperties = {
  url: { type: 'string', minLength: 1, maxLength: MAX_WEBHOOK_URL_LENGTH },
  events: { type: 'array', maxItems: 50, items: { type: 'string', minLength: 1, maxLength: 100 } },
  description: {
    type: 'string',
    maxLength: 500,
    pattern: DISPLAY_TEXT_PATTERN,
    description: DISPLAY_TEXT_RULE,
  },
} as const;

const createWebhookRequestSchema = {
  type: 'object',
  additionalProperties: false,
  properties: webhookEndpointProperties,
  required: ['url'],
} as const;

const updateWebhookRequestSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { ...webhookEndpointProperties, enabled: { type: 'boolean' } },
  minProperties: 1,
} as const;

// verbose: a pattern's error then carries its schema, whose description says what was expected.
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });

/** Validates a `POST /v1/workflows/run` body. */
export const validateRunRequest = ajv.compile<RunRequest>(RunRequest);

/** Validates a `POST /v1/workflows` body. */
export const validateSaveWorkflowRequest = ajv.compile<SaveWorkflowRequest>(SaveWorkflowRequest);

/** Validates a `PUT /v1/indexes/:index/items/:id` body. */
export const validateUpsertVectorRequest =
  ajv.compile<UpsertVectorRequest>(upsertVectorRequestSchema);

/** Validates a `POST /v1/indexes/:index/search` body. */
export const validateSearchVectorsRequest = ajv.compile<SearchVectorsRequest>(
  searchVectorsRequestSchema,
);

/** Validates a `POST /v1/webhooks` body. */
export const validateCreateWebhookRequest = ajv.compile<WebhookEndpointRequest & { url: string }>(
  createWebhookRequestSchema,
);

/** Validates a `PATCH /v1/webhooks/:id` body. */
export const validateUpdateWebhookRequest = ajv.compile<WebhookEndpointRequest>(
  updateWebhookRequestSchema,
);

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
