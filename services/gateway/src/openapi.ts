import {
  MAX_WEBHOOK_ENDPOINTS,
  RESULT_COLLECTION_PATTERN,
  RUN_WEBHOOK_EVENTS,
  VECTOR_INDEX_PATTERN,
  VECTOR_ITEM_ID_PATTERN,
  ANSWER_COMPONENTS,
  API_ERROR_CODES,
  API_ERRORS,
  httpStatusOf,
  type ApiErrorCode,
  SEED_API_COMPONENTS,
  DATA_COMPONENTS,
  DIAGNOSTIC_COMPONENTS,
  KEY_COMPONENTS,
  WEBHOOK_COMPONENTS,
  ERROR_COMPONENTS,
  RUN_COMPONENTS,
  StepsDefinition,
  WORKFLOW_COMPONENTS,
  WorkflowDefinition,
} from '@weft/contract';
import { CANONICAL_DEFINITION_SCHEMA, STEPS_DEFINITION_SCHEMA, type JsonType } from '@weft/core';
import {
  DEFAULT_AUTH_FAILURES_PER_MINUTE,
  DEFAULT_BODY_LIMIT_BYTES,
  DEFAULT_RATE_LIMIT_PER_MINUTE,
  DEFAULT_STREAM_LIMITS,
} from './config';
import { KEEP_ALIVE_MS, KEY_CHECK_MS, MAX_UNSENT_BYTES } from './live-streams';
import { DEFAULT_DOCUMENTS_LIMIT, MAX_DOCUMENTS_LIMIT } from './routes/data';
import { DEFAULT_RUNS_LIMIT, MAX_IDEMPOTENCY_KEY_LENGTH, MAX_RUNS_LIMIT } from './routes/runs';
import { MAX_DELIVERIES_LISTED } from './routes/webhooks';

// ---------------------------------------------------------------------------------------------
// The OpenAPI 3.1 objects this document uses (a subset of the specification, typed strictly).
// ---------------------------------------------------------------------------------------------

/** A JSON Schema 2020-12 schema, which is what an OpenAPI 3.1 Schema Object is. */
export interface SchemaObject {
  $ref?: string;
  title?: string;
  description?: string;
  type?: JsonType | JsonType[];
  enum?: readonly unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  items?: SchemaObject;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, SchemaObject>;
  required?: readonly string[];
  additionalProperties?: boolean | SchemaObject;
  propertyNames?: SchemaObject;
  minProperties?: number;
  maxProperties?: number;
  allOf?: SchemaObject[];
  anyOf?: SchemaObject[];
  oneOf?: SchemaObject[];
  not?: SchemaObject;
  if?: SchemaObject;
  then?: SchemaObject;
  default?: unknown;
  examples?: unknown[];
  contentMediaType?: string;
}

/** A `$ref` to a component of this document. */
export interface ReferenceObject {
  $ref: string;
}

export interface HeaderObject {
  description: string;
  required?: boolean;
  schema: SchemaObject;
}

export interface ParameterObject {
  name: string;
  in: 'path' | 'query' | 'header';
  description: string;
  required?: boolean;
  schema: SchemaObject;
}

export interface MediaTypeObject {
  /** Absent: any bytes. */
  schema?: SchemaObject;
}

export interface RequestBodyObject {
  description?: string;
  required: boolean;
  content: Record<string, MediaTypeObject>;
}

export interface ResponseObject {
  description: string;
  headers?: Record<string, HeaderObject | ReferenceObject>;
  content?: Record<string, MediaTypeObject>;
}

export interface OperationObject {
  operationId: string;
  tags: string[];
  summary: string;
  description?: string;
  /** `[]`: no API key needed. Absent: the document's (an API key, either way). */
  security?: Record<string, string[]>[];
  parameters?: (ParameterObject | ReferenceObject)[];
  requestBody?: RequestBodyObject;
  responses: Record<string, ResponseObject | ReferenceObject>;
}

/** The HTTP methods the gateway serves. */
export type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'patch';

export const HTTP_METHODS: readonly HttpMethod[] = ['get', 'put', 'post', 'delete', 'patch'];

export type PathItemObject = { parameters?: (ParameterObject | ReferenceObject)[] } & Partial<
  Record<HttpMethod, OperationObject>
>;

export type SecuritySchemeObject =
  | { type: 'apiKey'; in: 'header'; name: string; description: string }
  | { type: 'http'; scheme: 'bearer'; description: string };

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; summary: string; description: string };
  tags: { name: string; description: string }[];
  security: Record<string, string[]>[];
  paths: Record<string, PathItemObject>;
  components: {
    schemas: Record<string, SchemaObject>;
    responses: Record<string, ResponseObject>;
    parameters: Record<string, ParameterObject>;
    headers: Record<string, HeaderObject>;
    securitySchemes: Record<string, SecuritySchemeObject>;
  };
}

// ---------------------------------------------------------------------------------------------
// Schema helpers
// ---------------------------------------------------------------------------------------------

const ref = (name: string): SchemaObject => ({ $ref: `#/components/schemas/${name}` });

/** A closed object: every property required except `optional`, and no others allowed. */
function object(
  properties: Record<string, SchemaObject>,
  options: { optional?: readonly string[]; description?: string } = {},
): SchemaObject {
  const optional = options.optional ?? [];
  return {
    type: 'object',
    ...(options.description === undefined ? {} : { description: options.description }),
    properties,
    required: Object.keys(properties).filter((name) => !optional.includes(name)),
    additionalProperties: false,
  };
}

// ---------------------------------------------------------------------------------------------
// Component schemas
// ---------------------------------------------------------------------------------------------

const SCHEMAS: Record<string, SchemaObject> = {
  // Errors
  ...ERROR_COMPONENTS,
  ...DIAGNOSTIC_COMPONENTS,

  // Runs
  ...RUN_COMPONENTS,
  // Workflows
  ...WORKFLOW_COMPONENTS,
  // The contract names the definitions; core, which validates them, has their full schemas.
  WorkflowDefinition: {
    ...CANONICAL_DEFINITION_SCHEMA,
    description: WorkflowDefinition.description,
  },
  StepsDefinition: { ...STEPS_DEFINITION_SCHEMA, description: StepsDefinition.description },

  ...DATA_COMPONENTS,
  ...KEY_COMPONENTS,
  ...WEBHOOK_COMPONENTS,

  // Seed API (/api)
  ...SEED_API_COMPONENTS,

  // Answers that wrap a shape
  ...ANSWER_COMPONENTS,

  Health: object({ status: { const: 'ok' } }),
  Readiness: object(
    {
      status: { type: 'string', enum: ['ready', 'unready'] },
      checks: {
        type: 'object',
        additionalProperties: { type: 'string' },
        description: 'Each dependency checked (database, broker…): `ok`, or why it is not.',
      },
    },
    { description: 'Whether the gateway can serve: every check passed.' },
  ),
};

// ---------------------------------------------------------------------------------------------
// Headers, parameters, responses
// ---------------------------------------------------------------------------------------------

const headerRef = (name: string): ReferenceObject => ({ $ref: `#/components/headers/${name}` });

const HEADERS: Record<string, HeaderObject> = {
  'X-Request-Id': {
    description:
      'Identifies the request in our logs; yours when you send a valid one (`[A-Za-z0-9._:-]{1,100}`).',
    required: true,
    schema: { type: 'string' },
  },
  RateLimit: {
    description:
      '`limit=<n>, remaining=<n>, reset=<seconds>` (draft-ietf-httpapi-ratelimit-headers); absent when the limit is off.',
    schema: { type: 'string' },
  },
  'RateLimit-Policy': {
    description: `\`<limit>;w=60\`: requests per minute per API key (default ${DEFAULT_RATE_LIMIT_PER_MINUTE}).`,
    schema: { type: 'string' },
  },
  'Retry-After': {
    description: 'Seconds until the next request is allowed.',
    required: true,
    schema: { type: 'integer', minimum: 1 },
  },
  'WWW-Authenticate': {
    description: '`Bearer`, or `Bearer error="invalid_token"` for a key that is not valid.',
    required: true,
    schema: { type: 'string' },
  },
  Location: {
    description: 'Where the created thing is read.',
    required: true,
    schema: { type: 'string' },
  },
  'Cache-Control-No-Store': {
    description:
      "`no-store`: every answer behind an API key is one app's data, and runs change; no cache may keep one.",
    required: true,
    schema: { const: 'no-store' },
  },
};

const rateLimitHeaders = {
  RateLimit: headerRef('RateLimit'),
  'RateLimit-Policy': headerRef('RateLimit-Policy'),
};

const PARAMETERS: Record<string, ParameterObject> = {
  RunId: {
    name: 'runId',
    in: 'path',
    required: true,
    description: '`run_…`.',
    schema: { type: 'string' },
  },
  Slug: {
    name: 'slug',
    in: 'path',
    required: true,
    description: "The workflow's slug.",
    schema: { type: 'string' },
  },
  WebhookId: {
    name: 'webhookId',
    in: 'path',
    required: true,
    description: '`wh_…`.',
    schema: { type: 'string' },
  },
  DeliveryId: {
    name: 'deliveryId',
    in: 'path',
    required: true,
    description: '`whd_…`.',
    schema: { type: 'string' },
  },
  Collection: {
    name: 'collection',
    in: 'path',
    required: true,
    description: 'A collection name: `[A-Za-z0-9_-]{1,64}` (400 otherwise).',
    schema: { type: 'string', pattern: RESULT_COLLECTION_PATTERN.source },
  },
  Index: {
    name: 'index',
    in: 'path',
    required: true,
    description: 'An index name: `[A-Za-z0-9_-]{1,64}` (400 otherwise).',
    schema: { type: 'string', pattern: VECTOR_INDEX_PATTERN.source },
  },
  ApiWorkflowId: {
    name: 'workflowId',
    in: 'path',
    required: true,
    description: '`wf_…`.',
    schema: { type: 'string' },
  },
  ExecutionId: {
    name: 'executionId',
    in: 'path',
    required: true,
    description: '`run_…`.',
    schema: { type: 'string' },
  },
  Limit: {
    name: 'limit',
    in: 'query',
    description: 'Page size.',
    schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
  },
};

const parameterRef = (name: string): ReferenceObject => ({
  $ref: `#/components/parameters/${name}`,
});

const responseRef = (name: string): ReferenceObject => ({
  $ref: `#/components/responses/${name}`,
});

function errorSchema(codes: readonly ApiErrorCode[]): SchemaObject {
  return {
    allOf: [ref('Error')],
    type: 'object',
    properties: { error: { type: 'object', properties: { code: { enum: codes } } } },
  };
}

function errorDescription(codes: readonly ApiErrorCode[]): string {
  return codes.map((code) => `\`${code}\`: ${API_ERRORS[code].meaning}`).join('\n');
}

function errorResponse(
  codes: readonly ApiErrorCode[],
  headers: Record<string, HeaderObject | ReferenceObject> = {},
): ResponseObject {
  return {
    description: errorDescription(codes),
    headers: { 'X-Request-Id': headerRef('X-Request-Id'), ...headers },
    content: { 'application/json': { schema: errorSchema(codes) } },
  };
}

const RESPONSES: Record<string, ResponseObject> = {
  Unauthorized: errorResponse(['missing_api_key', 'invalid_api_key'], {
    'WWW-Authenticate': headerRef('WWW-Authenticate'),
  }),
  PayloadTooLarge: errorResponse(['payload_too_large'], rateLimitHeaders),
  UnsupportedMediaType: errorResponse(['unsupported_media_type'], rateLimitHeaders),
  RateLimited: errorResponse(['rate_limited', 'too_many_auth_failures'], {
    'Retry-After': headerRef('Retry-After'),
    ...rateLimitHeaders,
  }),
  InternalError: errorResponse(['internal_error']),
  RequestTimeout: errorResponse(['request_timeout']),
  HeadersTooLarge: errorResponse(['headers_too_large']),
  RouteNotFound: {
    ...errorResponse(['not_found']),
    content: {
      'application/json': {
        schema: {
          allOf: [errorSchema(['not_found'])],
          type: 'object',
          properties: {
            error: {
              type: 'object',
              properties: {
                details: {
                  type: 'object',
                  properties: { method: { type: 'string' }, path: { type: 'string' } },
                  required: ['method', 'path'],
                },
              },
            },
          },
        },
      },
    },
  },
};

/** Status codes answered through a shared response of {@link RESPONSES}. */
const SHARED_ERROR_RESPONSES: Record<string, { codes: ApiErrorCode[]; name: string }> = {
  '401': { codes: ['missing_api_key', 'invalid_api_key'], name: 'Unauthorized' },
  '413': { codes: ['payload_too_large'], name: 'PayloadTooLarge' },
  '415': { codes: ['unsupported_media_type'], name: 'UnsupportedMediaType' },
  '408': { codes: ['request_timeout'], name: 'RequestTimeout' },
  '429': { codes: ['rate_limited', 'too_many_auth_failures'], name: 'RateLimited' },
  '431': { codes: ['headers_too_large'], name: 'HeadersTooLarge' },
  '500': { codes: ['internal_error'], name: 'InternalError' },
};

function json(
  description: string,
  schema: SchemaObject,
  headers: Record<string, HeaderObject | ReferenceObject> = {},
): ResponseObject {
  return {
    description,
    headers: { 'X-Request-Id': headerRef('X-Request-Id'), ...headers },
    content: { 'application/json': { schema } },
  };
}

function noContent(description: string): ResponseObject {
  return { description, headers: { 'X-Request-Id': headerRef('X-Request-Id') } };
}

const jsonBody = (schema: SchemaObject, required = true): RequestBodyObject => ({
  required,
  content: { 'application/json': { schema } },
});

/** Codes every key-authenticated route may answer with. */
const AUTHENTICATED_ERRORS: readonly ApiErrorCode[] = [
  'missing_api_key',
  'invalid_api_key',
  'rate_limited',
  'too_many_auth_failures',
  // Answered by the HTTP layer, before any route: the body is the same structured error.
  'request_timeout',
  'headers_too_large',
  'internal_error',
];

/** Codes of reading a body: every POST, PUT and PATCH may answer with them. */
const BODY_ERRORS: readonly ApiErrorCode[] = [
  'malformed_json',
  'invalid_request',
  'payload_too_large',
  'unsupported_media_type',
];

interface AuthenticatedOperation extends Omit<OperationObject, 'responses'> {
  /** The answers that are not errors. */
  responses: Record<string, ResponseObject>;
  /** The error codes of this route, beyond those of authentication and of reading a body. */
  errors?: readonly ApiErrorCode[];
}

/**
 * An operation behind an API key: its own answers, plus every error it can give, grouped by
 * status; the rate limit headers on every answer but 401 (the limit counts keys).
 */
function authenticated(method: HttpMethod, spec: AuthenticatedOperation): OperationObject {
  const { errors = [], responses, ...operation } = spec;
  const takesBody = method === 'post' || method === 'put' || method === 'patch';
  const codes = new Set<ApiErrorCode>([
    ...AUTHENTICATED_ERRORS,
    ...(takesBody ? BODY_ERRORS : []),
    ...errors,
  ]);
  const byStatus = new Map<number, ApiErrorCode[]>();
  for (const code of API_ERROR_CODES) {
    if (!codes.has(code)) continue;
    const status = httpStatusOf(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const all: Record<string, ResponseObject | ReferenceObject> = {};
  for (const [status, response] of Object.entries(responses)) {
    all[status] = {
      ...response,
      headers: {
        'Cache-Control': headerRef('Cache-Control-No-Store'),
        ...response.headers,
        ...rateLimitHeaders,
      },
    };
  }
  for (const [status, statusCodes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const shared = SHARED_ERROR_RESPONSES[String(status)];
    all[String(status)] =
      shared && shared.codes.join() === statusCodes.join()
        ? responseRef(shared.name)
        : errorResponse(statusCodes, rateLimitHeaders);
  }
  return { ...operation, responses: all };
}

const sseDescription = [
  'A stream of Server-Sent Events, each with an increasing integer `id:`:',
  '`event: snapshot` — the run view (as `GET /v1/workflows/runs/{runId}` answers it, `RunView`);',
  '`event: node` — a node changed status or attempt (`RunNodeEvent`);',
  '`event: run` — the run changed status (`RunStatusEvent`);',
  '`event: end` — the final run view (`RunView`), then the server closes the stream; sent right after the snapshot when the run had already ended.',
  `A \`: keep-alive\` comment comes every ${KEEP_ALIVE_MS / 1000} s.`,
  `Each API key may hold \`MAX_STREAMS_PER_KEY\` streams open at once (default ${DEFAULT_STREAM_LIMITS.perKey}) and each app \`MAX_STREAMS_PER_APP\` (default ${DEFAULT_STREAM_LIMITS.perApp}), per gateway instance; beyond it the answer is 429 \`too_many_streams\`.`,
  `The stream closes without \`end\` when its key is revoked (within ${KEY_CHECK_MS / 1000} s when revoked through another gateway instance), or when the reader falls ${MAX_UNSENT_BYTES / 1024 / 1024} MiB behind.`,
].join('\n');

// ---------------------------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------------------------

const noKey: Record<string, string[]>[] = [];

const PATHS: Record<string, PathItemObject> = {
  '/healthz': {
    get: {
      operationId: 'getHealth',
      tags: ['Service'],
      summary: 'Is the gateway up',
      security: noKey,
      responses: { '200': json('It is.', ref('Health')) },
    },
  },
  '/readyz': {
    get: {
      operationId: 'getReadiness',
      tags: ['Service'],
      summary: 'Can the gateway serve: are its dependencies usable',
      security: noKey,
      responses: {
        '200': json('Every check passed.', ref('Readiness')),
        '503': json('A check failed or timed out; `checks` says which.', ref('Readiness')),
      },
    },
  },
  '/metrics': {
    get: {
      operationId: 'getMetrics',
      tags: ['Service'],
      summary: 'Prometheus metrics',
      security: noKey,
      responses: {
        '200': {
          description: 'The Prometheus text exposition format.',
          headers: { 'X-Request-Id': headerRef('X-Request-Id') },
          content: { 'text/plain': { schema: { type: 'string' } } },
        },
        '401': {
          ...errorResponse(['invalid_metrics_token']),
          headers: {
            'X-Request-Id': headerRef('X-Request-Id'),
            'WWW-Authenticate': headerRef('WWW-Authenticate'),
          },
        },
        '404': {
          ...errorResponse(['not_found']),
          description: '`not_found`: metrics are not enabled in this gateway.',
        },
      },
    },
  },
  '/openapi.json': {
    get: {
      operationId: 'getOpenApiDocument',
      tags: ['Service'],
      summary: 'This OpenAPI 3.1 document',
      security: noKey,
      responses: {
        '200': json('The document.', {
          type: 'object',
          required: ['openapi', 'info', 'paths', 'components'],
          properties: {
            openapi: { const: '3.1.0' },
            info: { type: 'object' },
            paths: { type: 'object' },
            components: { type: 'object' },
          },
        }),
      },
    },
  },
  '/docs': {
    get: {
      operationId: 'getApiReference',
      tags: ['Service'],
      summary: 'This document as an HTML page',
      security: noKey,
      responses: {
        '200': {
          description: 'A self-contained page: no scripts, no external resources.',
          headers: { 'X-Request-Id': headerRef('X-Request-Id') },
          content: { 'text/html': { schema: { type: 'string' } } },
        },
      },
    },
  },

  // Runs
  '/v1/workflows/run': {
    post: authenticated('post', {
      operationId: 'startRun',
      tags: ['Runs'],
      summary: 'Start a run',
      description:
        "Resolves the workflow, checks the input and creates the run with its first ready steps; it never waits for a step. An `Idempotency-Key` makes a retried request return the first request's run (202, same `runId`).",
      parameters: [
        {
          name: 'Idempotency-Key',
          in: 'header',
          description:
            'The same key from the same app returns the same run; with another workflow or input it is 409 `idempotency_key_reused`.',
          schema: {
            type: 'string',
            minLength: 1,
            maxLength: MAX_IDEMPOTENCY_KEY_LENGTH,
            pattern: '^[\\x20-\\x7e]+$',
          },
        },
        {
          name: 'traceparent',
          in: 'header',
          description: 'W3C trace context, carried into the run.',
          schema: { type: 'string' },
        },
      ],
      requestBody: jsonBody(ref('RunRequest')),
      responses: {
        '202': json(
          'The run was created (or found, for a repeated `Idempotency-Key`).',
          ref('RunAccepted'),
          {
            Location: headerRef('Location'),
          },
        ),
      },
      errors: [
        'app_mismatch',
        'workflow_not_found',
        'idempotency_key_reused',
        'invalid_definition',
        'invalid_webhook_url',
        'invalid_input',
      ],
    }),
  },
  '/v1/workflows/runs': {
    get: authenticated('get', {
      operationId: 'listRuns',
      tags: ['Runs'],
      summary: "List the app's runs",
      description: 'Newest first. Unknown query parameters are refused (400).',
      parameters: [
        {
          name: 'status',
          in: 'query',
          description: 'Only runs in this status.',
          schema: ref('RunStatus'),
        },
        {
          name: 'slug',
          in: 'query',
          description: 'Only runs of this workflow.',
          schema: ref('Slug'),
        },
        {
          name: 'limit',
          in: 'query',
          description: 'Page size.',
          schema: {
            type: 'integer',
            minimum: 1,
            maximum: MAX_RUNS_LIMIT,
            default: DEFAULT_RUNS_LIMIT,
          },
        },
        {
          name: 'cursor',
          in: 'query',
          description: 'The `nextCursor` of the previous page.',
          schema: { type: 'string' },
        },
      ],
      responses: { '200': json('A page of runs.', ref('RunList')) },
      errors: ['invalid_request'],
    }),
  },
  '/v1/workflows/runs/{runId}': {
    parameters: [parameterRef('RunId')],
    get: authenticated('get', {
      operationId: 'getRun',
      tags: ['Runs'],
      summary: 'Read a run',
      responses: { '200': json('The run.', ref('RunView')) },
      errors: ['invalid_request', 'run_not_found'],
    }),
  },
  '/v1/workflows/runs/{runId}/deliveries': {
    parameters: [parameterRef('RunId')],
    get: authenticated('get', {
      operationId: 'listRunDeliveries',
      tags: ['Runs', 'Webhooks'],
      summary: "The run's webhook deliveries",
      description: 'Oldest first, each with every attempt.',
      responses: { '200': json("The run's deliveries.", ref('WebhookDeliveries')) },
      errors: ['invalid_request', 'run_not_found'],
    }),
  },
  '/v1/workflows/runs/{runId}/events': {
    parameters: [parameterRef('RunId')],
    get: authenticated('get', {
      operationId: 'streamRunEvents',
      tags: ['Runs'],
      summary: "Follow a run's progress (Server-Sent Events)",
      description: sseDescription,
      responses: {
        '200': {
          description: sseDescription,
          headers: {
            'X-Request-Id': headerRef('X-Request-Id'),
            'Cache-Control': {
              description: 'No cache may keep the stream, and no proxy may transform (buffer) it.',
              required: true,
              schema: { const: 'no-store, no-transform' },
            },
          },
          content: {
            'text/event-stream': {
              schema: {
                type: 'string',
                description:
                  'Events `snapshot` and `end` carry a `RunView`, `node` a `RunNodeEvent`, `run` a `RunStatusEvent`, each as the JSON of its `data:` line.',
              },
            },
          },
        },
      },
      errors: ['invalid_request', 'run_not_found', 'too_many_streams'],
    }),
  },
  '/v1/workflows/runs/{runId}/cancel': {
    parameters: [parameterRef('RunId')],
    post: authenticated('post', {
      operationId: 'cancelRun',
      tags: ['Runs'],
      summary: 'Cancel a run',
      description:
        'A run already cancelled answers 200 with it (a retried cancel must not fail); one that completed, failed or timed out is 409.',
      responses: { '200': json('The cancelled run.', ref('RunView')) },
      errors: ['run_not_found', 'run_already_ended'],
    }),
  },
  '/v1/workflows/runs/{runId}/resume': {
    parameters: [parameterRef('RunId')],
    post: authenticated('post', {
      operationId: 'resumeRun',
      tags: ['Runs'],
      summary: 'Resume a failed, cancelled or timed-out run',
      responses: { '202': json('The resumed run.', ref('RunView')) },
      errors: ['run_not_found', 'run_not_resumable'],
    }),
  },

  // Workflows
  '/v1/workflows': {
    post: authenticated('post', {
      operationId: 'saveWorkflow',
      tags: ['Workflows'],
      summary: 'Save a new version of a workflow',
      description: 'Every save is a new immutable version of the slug.',
      requestBody: jsonBody(ref('SaveWorkflowRequest')),
      responses: {
        '201': json('The new version.', ref('SavedWorkflow'), { Location: headerRef('Location') }),
      },
      errors: ['invalid_definition'],
    }),
    get: authenticated('get', {
      operationId: 'listWorkflows',
      tags: ['Workflows'],
      summary: "List the app's workflows and the built-in templates",
      description:
        "The app's workflows, then the built-in templates it has not replaced (`builtIn: true`, `id: null`).",
      responses: {
        '200': json('The workflows.', ref('WorkflowList')),
      },
    }),
  },
  '/v1/workflows/{slug}': {
    parameters: [parameterRef('Slug')],
    get: authenticated('get', {
      operationId: 'getWorkflow',
      tags: ['Workflows'],
      summary: 'Read the latest version of a workflow',
      responses: {
        '200': json('The latest version, with its definition.', ref('WorkflowVersionAnswer')),
      },
      errors: ['invalid_request', 'workflow_not_found'],
    }),
  },
  '/v1/workflows/{slug}/versions': {
    parameters: [parameterRef('Slug')],
    get: authenticated('get', {
      operationId: 'listWorkflowVersions',
      tags: ['Workflows'],
      summary: "List a workflow's versions",
      responses: {
        '200': json('Oldest first.', ref('WorkflowVersionList')),
      },
      errors: ['invalid_request', 'workflow_not_found'],
    }),
  },
  '/v1/workflows/{slug}/versions/{version}': {
    parameters: [
      parameterRef('Slug'),
      {
        name: 'version',
        in: 'path',
        required: true,
        description: 'A positive integer (400 otherwise).',
        schema: { type: 'integer', minimum: 1 },
      },
    ],
    get: authenticated('get', {
      operationId: 'getWorkflowVersion',
      tags: ['Workflows'],
      summary: 'Read one version of a workflow',
      responses: {
        '200': json('The version, with its definition.', ref('WorkflowVersionAnswer')),
      },
      errors: ['invalid_request', 'workflow_not_found'],
    }),
  },

  // Artifacts, collections, indexes
  '/v1/artifacts/{artifactId}': {
    parameters: [
      {
        name: 'artifactId',
        in: 'path',
        required: true,
        description: '`art_…`.',
        schema: { type: 'string' },
      },
    ],
    get: authenticated('get', {
      operationId: 'getArtifact',
      tags: ['Artifacts'],
      summary: 'Read the bytes a step stored',
      description:
        "Served as data, never as a page: `Content-Security-Policy: default-src 'none'; sandbox`.",
      parameters: [
        {
          name: 'If-None-Match',
          in: 'header',
          description: 'The `ETag` of a copy you hold: 304 when it is still the content.',
          schema: { type: 'string' },
        },
      ],
      responses: {
        '200': {
          description: 'The bytes, with the `Content-Type` they were stored with.',
          headers: {
            'X-Request-Id': headerRef('X-Request-Id'),
            ETag: {
              description: 'The SHA-256 of the content, quoted.',
              required: true,
              schema: { type: 'string' },
            },
            'Content-Length': {
              description: 'Its size.',
              required: true,
              schema: { type: 'integer' },
            },
            'Cache-Control': {
              description:
                'Content never changes under its id, and is private to the app: a browser may keep it.',
              required: true,
              schema: { const: 'private, max-age=31536000, immutable' },
            },
          },
          content: { '*/*': {} },
        },
        '304': {
          description: '`If-None-Match` named the content: use your copy.',
          headers: { 'X-Request-Id': headerRef('X-Request-Id') },
        },
      },
      errors: ['invalid_request', 'artifact_not_found'],
    }),
  },
  '/v1/collections/{collection}/documents': {
    parameters: [parameterRef('Collection')],
    get: authenticated('get', {
      operationId: 'listDocuments',
      tags: ['Collections'],
      summary: 'List what `store_results` wrote to a collection',
      parameters: [
        {
          name: 'limit',
          in: 'query',
          description: 'Page size.',
          schema: {
            type: 'integer',
            minimum: 1,
            maximum: MAX_DOCUMENTS_LIMIT,
            default: DEFAULT_DOCUMENTS_LIMIT,
          },
        },
        {
          name: 'cursor',
          in: 'query',
          description: 'The `nextCursor` of the previous page.',
          schema: { type: 'string' },
        },
      ],
      responses: { '200': json('A page of documents, newest first.', ref('DocumentPage')) },
      errors: ['invalid_request'],
    }),
  },
  '/v1/collections/{collection}/documents/{documentId}': {
    parameters: [
      parameterRef('Collection'),
      {
        name: 'documentId',
        in: 'path',
        required: true,
        description: '`res_…`.',
        schema: { type: 'string' },
      },
    ],
    get: authenticated('get', {
      operationId: 'getDocument',
      tags: ['Collections'],
      summary: 'Read one document of a collection',
      responses: { '200': json('The document.', ref('StoredDocument')) },
      errors: ['invalid_request', 'document_not_found'],
    }),
  },
  '/v1/indexes/{index}/items/{itemId}': {
    parameters: [
      parameterRef('Index'),
      {
        name: 'itemId',
        in: 'path',
        required: true,
        description: 'An item id: `[A-Za-z0-9_.:-]{1,128}` (400 otherwise).',
        schema: { type: 'string', pattern: VECTOR_ITEM_ID_PATTERN.source },
      },
    ],
    put: authenticated('put', {
      operationId: 'upsertVector',
      tags: ['Indexes'],
      summary: 'Add or replace a vector',
      requestBody: jsonBody(ref('UpsertVectorRequest')),
      responses: { '200': json('The item was stored.', ref('VectorItemSaved')) },
      errors: ['dimension_mismatch'],
    }),
  },
  '/v1/indexes/{index}/search': {
    parameters: [parameterRef('Index')],
    post: authenticated('post', {
      operationId: 'searchVectors',
      tags: ['Indexes'],
      summary: 'Find the nearest vectors (cosine)',
      description: 'An exact scan of the index.',
      requestBody: jsonBody(ref('SearchVectorsRequest')),
      responses: { '200': json('The nearest items, nearest first.', ref('VectorMatches')) },
      errors: ['dimension_mismatch'],
    }),
  },

  // Keys
  '/v1/keys': {
    get: authenticated('get', {
      operationId: 'listKeys',
      tags: ['Keys'],
      summary: "List the app's API keys",
      description: 'Oldest first, revoked ones included; never a key.',
      responses: {
        '200': json('The keys.', ref('ApiKeyList')),
      },
    }),
    post: authenticated('post', {
      operationId: 'createKey',
      tags: ['Keys'],
      summary: 'Create an API key of the app',
      description: 'Takes no body (or an empty object). The key is shown this once.',
      requestBody: jsonBody(object({}), false),
      responses: {
        '201': json('The new key.', ref('CreatedApiKey')),
      },
      errors: ['key_limit_reached'],
    }),
  },
  '/v1/keys/{keyId}': {
    parameters: [
      {
        name: 'keyId',
        in: 'path',
        required: true,
        description: '`key_…`.',
        schema: { type: 'string' },
      },
    ],
    delete: authenticated('delete', {
      operationId: 'revokeKey',
      tags: ['Keys'],
      summary: 'Revoke an API key',
      description:
        'Requests with it fail from now on; revoking a revoked key changes nothing. A key may revoke itself.',
      responses: {
        '200': json('The revoked key.', ref('ApiKeyAnswer')),
      },
      errors: ['invalid_request', 'key_not_found'],
    }),
  },

  // Webhooks
  '/v1/webhooks': {
    post: authenticated('post', {
      operationId: 'createWebhook',
      tags: ['Webhooks'],
      summary: 'Create a webhook endpoint',
      description: `Run events (${RUN_WEBHOOK_EVENTS.join(', ')}) and \`emit_webhook\` events are POSTed to it, signed with its secret. An app may have ${MAX_WEBHOOK_ENDPOINTS}.`,
      requestBody: jsonBody(ref('CreateWebhookRequest')),
      responses: {
        '201': json(
          'The endpoint, and its secret (shown this once).',
          ref('WebhookEndpointWithSecret'),
        ),
      },
      errors: ['webhook_limit_reached', 'invalid_webhook_url'],
    }),
    get: authenticated('get', {
      operationId: 'listWebhooks',
      tags: ['Webhooks'],
      summary: "List the app's webhook endpoints",
      responses: {
        '200': json('The endpoints.', ref('WebhookEndpointList')),
      },
    }),
  },
  '/v1/webhooks/deliveries/{deliveryId}': {
    parameters: [parameterRef('DeliveryId')],
    get: authenticated('get', {
      operationId: 'getWebhookDelivery',
      tags: ['Webhooks'],
      summary: 'Read a delivery, with every attempt',
      responses: { '200': json('The delivery.', ref('WebhookDeliveryAnswer')) },
      errors: ['invalid_request', 'delivery_not_found'],
    }),
  },
  '/v1/webhooks/deliveries/{deliveryId}/resend': {
    parameters: [parameterRef('DeliveryId')],
    post: authenticated('post', {
      operationId: 'resendWebhookDelivery',
      tags: ['Webhooks'],
      summary: 'Send a delivery again now',
      description: 'Under the same `webhook-id`, so receivers can drop it if they had it.',
      responses: {
        '202': json('The delivery, pending again.', ref('WebhookDeliveryAnswer')),
      },
      errors: ['delivery_not_found'],
    }),
  },
  '/v1/webhooks/{webhookId}': {
    parameters: [parameterRef('WebhookId')],
    get: authenticated('get', {
      operationId: 'getWebhook',
      tags: ['Webhooks'],
      summary: 'Read a webhook endpoint',
      responses: { '200': json('The endpoint.', ref('WebhookEndpointAnswer')) },
      errors: ['invalid_request', 'webhook_not_found'],
    }),
    patch: authenticated('patch', {
      operationId: 'updateWebhook',
      tags: ['Webhooks'],
      summary: 'Change a webhook endpoint',
      requestBody: jsonBody(ref('UpdateWebhookRequest')),
      responses: { '200': json('The endpoint.', ref('WebhookEndpointAnswer')) },
      errors: ['webhook_not_found', 'invalid_webhook_url'],
    }),
    delete: authenticated('delete', {
      operationId: 'deleteWebhook',
      tags: ['Webhooks'],
      summary: 'Delete a webhook endpoint',
      responses: { '204': noContent('Deleted.') },
      errors: ['invalid_request', 'webhook_not_found'],
    }),
  },
  '/v1/webhooks/{webhookId}/rotate-secret': {
    parameters: [parameterRef('WebhookId')],
    post: authenticated('post', {
      operationId: 'rotateWebhookSecret',
      tags: ['Webhooks'],
      summary: "Rotate an endpoint's signing secret",
      description: 'The old secret still signs (a second signature) for 24 h.',
      responses: {
        '200': json(
          'The endpoint and its new secret (shown this once).',
          ref('WebhookEndpointWithSecret'),
        ),
      },
      errors: ['webhook_not_found'],
    }),
  },
  '/v1/webhooks/{webhookId}/deliveries': {
    parameters: [parameterRef('WebhookId')],
    get: authenticated('get', {
      operationId: 'listWebhookDeliveries',
      tags: ['Webhooks'],
      summary: "An endpoint's deliveries",
      description: `The newest ${MAX_DELIVERIES_LISTED}, each with every attempt.`,
      responses: { '200': json('The deliveries, newest first.', ref('WebhookDeliveries')) },
      errors: ['invalid_request', 'webhook_not_found'],
    }),
  },

  // Seed API
  '/api/workflows': {
    post: authenticated('post', {
      operationId: 'apiCreateWorkflow',
      tags: ['Seed API'],
      summary: 'Create a workflow',
      requestBody: jsonBody(ref('WorkflowApiRequest')),
      responses: { '201': json('The workflow.', ref('SavedWorkflowApi')) },
      errors: ['invalid_definition'],
    }),
    get: authenticated('get', {
      operationId: 'apiListWorkflows',
      tags: ['Seed API'],
      summary: "List the app's workflows",
      responses: {
        '200': json('The workflows.', ref('WorkflowApiList')),
      },
    }),
  },
  '/api/workflows/{workflowId}': {
    parameters: [parameterRef('ApiWorkflowId')],
    get: authenticated('get', {
      operationId: 'apiGetWorkflow',
      tags: ['Seed API'],
      summary: 'Read a workflow',
      responses: { '200': json('The workflow.', ref('WorkflowApiAnswer')) },
      errors: ['invalid_request', 'workflow_not_found'],
    }),
    put: authenticated('put', {
      operationId: 'apiUpdateWorkflow',
      tags: ['Seed API'],
      summary: 'Replace a workflow (a new version)',
      requestBody: jsonBody(ref('WorkflowApiRequest')),
      responses: { '200': json('The workflow, at its new version.', ref('SavedWorkflowApi')) },
      errors: ['workflow_not_found', 'invalid_definition'],
    }),
    delete: authenticated('delete', {
      operationId: 'apiDeleteWorkflow',
      tags: ['Seed API'],
      summary: 'Delete a workflow',
      responses: { '204': noContent('Deleted.') },
      errors: ['invalid_request', 'workflow_not_found'],
    }),
  },
  '/api/workflows/{workflowId}/execute': {
    parameters: [parameterRef('ApiWorkflowId')],
    post: authenticated('post', {
      operationId: 'apiExecuteWorkflow',
      tags: ['Seed API'],
      summary: 'Execute a workflow',
      requestBody: jsonBody(ref('ExecuteRequest'), false),
      responses: {
        '201': json('The execution, pending.', ref('ExecutionAnswer'), {
          Location: headerRef('Location'),
        }),
      },
      errors: ['workflow_not_found', 'invalid_input'],
    }),
  },
  '/api/workflows/{workflowId}/executions': {
    parameters: [parameterRef('ApiWorkflowId')],
    get: authenticated('get', {
      operationId: 'apiListExecutions',
      tags: ['Seed API'],
      summary: "List a workflow's executions",
      parameters: [
        parameterRef('Limit'),
        {
          name: 'cursor',
          in: 'query',
          description: 'The `next_cursor` of the previous page.',
          schema: { type: 'string' },
        },
      ],
      responses: {
        '200': json('A page of executions, newest first.', ref('ExecutionPageApi')),
      },
      errors: ['invalid_request', 'workflow_not_found'],
    }),
  },
  '/api/workflow-executions/{executionId}': {
    parameters: [parameterRef('ExecutionId')],
    get: authenticated('get', {
      operationId: 'apiGetExecution',
      tags: ['Seed API'],
      summary: 'Read an execution',
      responses: { '200': json('The execution.', ref('ExecutionAnswer')) },
      errors: ['invalid_request', 'run_not_found'],
    }),
  },
  '/api/workflow-executions/{executionId}/cancel': {
    parameters: [parameterRef('ExecutionId')],
    post: authenticated('post', {
      operationId: 'apiCancelExecution',
      tags: ['Seed API'],
      summary: 'Cancel an execution',
      responses: {
        '200': json('The cancelled execution.', ref('ExecutionAnswer')),
      },
      errors: ['run_not_found', 'run_already_ended'],
    }),
  },
};

// ---------------------------------------------------------------------------------------------
// The document
// ---------------------------------------------------------------------------------------------

/**
 * Weft's HTTP API as an OpenAPI 3.1 document: every route the gateway serves, every answer it
 * gives, served at `GET /openapi.json` and rendered at `GET /docs`. Integration tests check every
 * JSON answer against it, so it changes with the gateway.
 */
export const OPENAPI_DOCUMENT: OpenApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Weft API',
    version: '0.1.0',
    summary: 'Run AI workflows on a Kafka-native engine.',
    description: [
      "Every `/v1` and `/api` route needs an API key, as `X-API-Key: <key>` or `Authorization: Bearer <key>`; everything is scoped to the key's app.",
      `Each key may make \`RATE_LIMIT_PER_MINUTE\` requests a minute (default ${DEFAULT_RATE_LIMIT_PER_MINUTE}), per gateway instance; beyond it the answer is 429 \`rate_limited\`.`,
      `Request bodies are JSON (\`Content-Type: application/json\`), at most \`BODY_LIMIT_BYTES\` (default ${DEFAULT_BODY_LIMIT_BYTES}).`,
      'Every error is `{error: {code, message, details}}` with a stable `code`; a route that does not exist is 404 `not_found`. So are the errors of the HTTP layer itself: 400 `invalid_request` for a malformed request line or header, 408 `request_timeout`, 431 `headers_too_large`.',
      `Requests from one client address whose API keys failed \`AUTH_FAILURES_PER_MINUTE\` times a minute (default ${DEFAULT_AUTH_FAILURES_PER_MINUTE}) are answered 429 \`too_many_auth_failures\` unread for a while.`,
      'Every answer behind an API key carries `Cache-Control: no-store`, except the immutable bytes of an artifact.',
      '`/metrics` belongs on an internal network; where it cannot be, set `METRICS_TOKEN` and scrape with `Authorization: Bearer <token>`.',
      'Every answer carries `X-Request-Id`. `/v1` times are ISO-8601; `/api` times are unix seconds (as the seed shows).',
    ].join('\n'),
  },
  tags: [
    { name: 'Runs', description: 'Start, follow, cancel and resume runs.' },
    { name: 'Workflows', description: 'Saved workflows: immutable versions under a slug.' },
    { name: 'Artifacts', description: 'Bytes steps stored (images, audio…).' },
    { name: 'Collections', description: 'Documents `store_results` wrote.' },
    { name: 'Indexes', description: 'Vector indexes: add items, search by cosine similarity.' },
    { name: 'Keys', description: "The app's API keys." },
    { name: 'Webhooks', description: 'Endpoints that receive run events, and their deliveries.' },
    { name: 'Seed API', description: 'The `/api` face: the same workflows and runs, seed-shaped.' },
    {
      name: 'Service',
      description: 'Health, readiness, metrics and this document; no API key needed.',
    },
  ],
  security: [{ ApiKeyHeader: [] }, { BearerAuth: [] }],
  paths: PATHS,
  components: {
    schemas: SCHEMAS,
    responses: RESPONSES,
    parameters: PARAMETERS,
    headers: HEADERS,
    securitySchemes: {
      ApiKeyHeader: {
        type: 'apiKey',
        in: 'header',
        name: 'X-API-Key',
        description: 'An API key of the app: `weft_<prefix>_…`.',
      },
      BearerAuth: {
        type: 'http',
        scheme: 'bearer',
        description: 'The same API key, as `Authorization: Bearer <key>`.',
      },
    },
  },
};
