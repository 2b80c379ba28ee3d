import { API_ERROR_CODES, httpStatusOf, type ApiErrorCode } from '../api-errors';
import { ADMIN_COMPONENTS } from '../admin';
import { ANSWER_COMPONENTS } from '../answers';
import { DATA_COMPONENTS } from '../data';
import { DIAGNOSTIC_COMPONENTS } from '../diagnostics';
import { ERROR_COMPONENTS } from '../errors';
import { KEY_COMPONENTS } from '../keys';
import { RESULT_COLLECTION_PATTERN, VECTOR_INDEX_PATTERN, VECTOR_ITEM_ID_PATTERN } from '../names';
import { API_OPERATIONS, API_TAGS, type GatewayFacts, type Operation } from '../operations';
import { RUN_COMPONENTS } from '../runs';
import { SEED_API_COMPONENTS } from '../seed-api';
import { SERVICE_COMPONENTS } from '../service';
import { TASK_TYPE_COMPONENTS } from '../task-types';
import { WEBHOOK_COMPONENTS } from '../webhooks';
import { WORKFLOW_COMPONENTS } from '../workflows';
import type {
  HeaderObject,
  OpenApiDocument,
  OperationObject,
  ParameterObject,
  PathItemObject,
  ReferenceObject,
  ResponseObject,
  SchemaObject,
} from './objects';
import { errorResponse, errorWithDetails, headerRef, parameterRef, responseRef } from './parts';

/** What the document is generated from beyond the operations: the gateway's own facts. */
export interface DocumentOptions {
  facts: GatewayFacts;
  /**
   * The full schemas of the definitions, which core holds (it validates them); the contract only
   * names them.
   */
  definitions: { WorkflowDefinition: SchemaObject; StepsDefinition: SchemaObject };
}

function headers(facts: GatewayFacts): Record<string, HeaderObject> {
  return {
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
      description: `\`<limit>;w=60\`: requests per minute per API key (default ${facts.rateLimitPerMinute}).`,
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
}

const rateLimitHeaders = {
  RateLimit: headerRef('RateLimit'),
  'RateLimit-Policy': headerRef('RateLimit-Policy'),
};

/** A path parameter: every one is required, and named by the path's `{name}`. */
const inPath = (name: string, description: string, schema: SchemaObject = { type: 'string' }) =>
  ({ name, in: 'path', required: true, description, schema }) satisfies ParameterObject;

/** The path parameters, by component name; a path's `{name}` refers to the one named so. */
const PATH_PARAMETERS: Record<string, ParameterObject> = {
  RunId: inPath('runId', '`run_…`.'),
  Slug: inPath('slug', "The workflow's slug."),
  Version: inPath('version', 'A positive integer (400 otherwise).', {
    type: 'integer',
    minimum: 1,
  }),
  ArtifactId: inPath('artifactId', '`art_…`.'),
  Collection: inPath('collection', 'A collection name: `[A-Za-z0-9_-]{1,64}` (400 otherwise).', {
    type: 'string',
    pattern: RESULT_COLLECTION_PATTERN.source,
  }),
  DocumentId: inPath('documentId', '`res_…`.'),
  Index: inPath('index', 'An index name: `[A-Za-z0-9_-]{1,64}` (400 otherwise).', {
    type: 'string',
    pattern: VECTOR_INDEX_PATTERN.source,
  }),
  ItemId: inPath('itemId', 'An item id: `[A-Za-z0-9_.:-]{1,128}` (400 otherwise).', {
    type: 'string',
    pattern: VECTOR_ITEM_ID_PATTERN.source,
  }),
  KeyId: inPath('keyId', '`key_…`.'),
  WebhookId: inPath('webhookId', '`wh_…`.'),
  DeliveryId: inPath('deliveryId', '`whd_…`.'),
  ApiWorkflowId: inPath('workflowId', '`wf_…`.'),
  AppId: inPath('appId', '`app_…`.'),
  ExecutionId: inPath('executionId', '`run_…`.'),
  TaskTypeName: inPath(
    'taskType',
    'A registered task type, `namespace/name`, its `/` sent as `%2F` (e.g. `acme%2Fresize`).',
  ),
};

/** A shared error answer: its codes, and whether only keyed routes (rate-limited) give it. */
interface SharedError {
  codes: ApiErrorCode[];
  response: ResponseObject;
  keyedOnly: boolean;
}

function sharedError(
  codes: ApiErrorCode[],
  headers: Record<string, ReferenceObject> = {},
): SharedError {
  const keyedOnly = Object.keys(headers).some((name) => name in rateLimitHeaders);
  return { codes, response: errorResponse(codes, headers), keyedOnly };
}

/** The shared error answers, by component name. */
const SHARED_ERRORS: Record<string, SharedError> = {
  Unauthorized: sharedError(['missing_api_key', 'invalid_api_key'], {
    'WWW-Authenticate': headerRef('WWW-Authenticate'),
  }),
  PayloadTooLarge: sharedError(['payload_too_large'], rateLimitHeaders),
  UnsupportedMediaType: sharedError(['unsupported_media_type'], rateLimitHeaders),
  RateLimited: sharedError(['rate_limited', 'too_many_auth_failures'], {
    'Retry-After': headerRef('Retry-After'),
    ...rateLimitHeaders,
  }),
  InternalError: sharedError(['internal_error']),
  RequestTimeout: sharedError(['request_timeout']),
  HeadersTooLarge: sharedError(['headers_too_large']),
};

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

/** Codes every admin route may answer with: no admin token, a wrong one, or none configured. */
const ADMIN_ERRORS: readonly ApiErrorCode[] = [
  'missing_admin_token',
  'invalid_admin_token',
  'not_found',
  'too_many_auth_failures',
  'request_timeout',
  'headers_too_large',
  'internal_error',
];

/**
 * Codes of reading a JSON body: every POST, PUT and PATCH may answer with them, but for one whose
 * body is bytes of any type (an artifact upload), which is never parsed.
 */
const BODY_ERRORS: readonly ApiErrorCode[] = [
  'malformed_json',
  'invalid_request',
  'payload_too_large',
  'unsupported_media_type',
];

/**
 * The answers of a guarded operation's error codes, grouped by status: a shared answer where one
 * has exactly those codes.
 */
function errorResponses(operation: Operation): Record<string, ResponseObject | ReferenceObject> {
  const body = operation.requestBody?.content;
  const readsJsonBody =
    ['post', 'put', 'patch'].includes(operation.method) &&
    (body === undefined || 'application/json' in body);
  const admin = operation.access === 'admin';
  const codes = new Set<ApiErrorCode>([
    ...(admin ? ADMIN_ERRORS : AUTHENTICATED_ERRORS),
    ...(readsJsonBody ? BODY_ERRORS : []),
    ...(operation.errors ?? []),
  ]);
  const byStatus = new Map<number, ApiErrorCode[]>();
  for (const code of API_ERROR_CODES) {
    if (!codes.has(code)) continue;
    const status = httpStatusOf(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const answers: Record<string, ResponseObject | ReferenceObject> = {};
  for (const [status, statusCodes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const shared = Object.entries(SHARED_ERRORS).find(
      ([, { codes: sharedCodes, keyedOnly }]) =>
        sharedCodes.join() === statusCodes.join() && !(admin && keyedOnly),
    );
    // Without an admin token configured, no admin route exists: the answer is any unknown path's.
    const absent = admin && statusCodes.join() === 'not_found';
    answers[String(status)] = absent
      ? responseRef('RouteNotFound')
      : shared
        ? responseRef(shared[0])
        : errorResponse(statusCodes, admin ? adminErrorHeaders(status) : rateLimitHeaders);
  }
  return answers;
}

/** What an admin error carries beyond `X-Request-Id`: how to authenticate, when to retry. */
function adminErrorHeaders(status: number): Record<string, ReferenceObject> {
  if (status === 401) return { 'WWW-Authenticate': headerRef('WWW-Authenticate') };
  if (status === 429) return { 'Retry-After': headerRef('Retry-After') };
  return {};
}

/**
 * The operation as the document shows it. A guarded one (by a key or the admin token) also lists
 * every error it can give, and its answers carry `Cache-Control: no-store`; those behind a key
 * also carry the rate limit headers (but 401's: the limit counts keys).
 */
function operationObject(operation: Operation, facts: GatewayFacts): OperationObject {
  const { operationId, tags, summary, parameters, requestBody } = operation;
  const description =
    typeof operation.description === 'function'
      ? operation.description(facts)
      : operation.description;
  const responses: Record<string, ResponseObject | ReferenceObject> = {};
  const noStore = { 'Cache-Control': headerRef('Cache-Control-No-Store') };
  for (const [status, declared] of Object.entries(operation.responses)) {
    const response = typeof declared === 'function' ? declared(facts) : declared;
    responses[status] =
      operation.access === 'open'
        ? response
        : {
            ...response,
            headers: {
              ...noStore,
              ...response.headers,
              ...(operation.access === 'key' ? rateLimitHeaders : {}),
            },
          };
  }
  return {
    operationId,
    tags,
    summary,
    ...(description === undefined ? {} : { description }),
    ...(operation.access === 'open' ? { security: [] } : {}),
    ...(operation.access === 'admin' ? { security: [{ AdminToken: [] }] } : {}),
    ...(parameters === undefined ? {} : { parameters }),
    ...(requestBody === undefined ? {} : { requestBody }),
    responses: {
      ...responses,
      ...(operation.access === 'open' ? {} : errorResponses(operation)),
    },
  };
}

/** The path item of `path`, with a reference to each of its `{name}` parameters. */
function pathItem(path: string): PathItemObject {
  const names = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
  if (names.length === 0) return {};
  return {
    parameters: names.map((name) => {
      const found = Object.entries(PATH_PARAMETERS).find(([, p]) => p.name === name);
      if (!found) throw new Error(`${path}: no path parameter component is named "${name}"`);
      return parameterRef(found[0]);
    }),
  };
}

/**
 * Weft's HTTP API as an OpenAPI 3.1 document, generated from the operations and the shapes this
 * package declares: what a gateway serves at `GET /openapi.json` and renders at `GET /docs`.
 */
export function openApiDocument({ facts, definitions }: DocumentOptions): OpenApiDocument {
  const paths: Record<string, PathItemObject> = {};
  for (const operation of API_OPERATIONS) {
    const item = (paths[operation.path] ??= pathItem(operation.path));
    if (item[operation.method]) throw new Error(`${operation.method} ${operation.path} twice`);
    item[operation.method] = operationObject(operation, facts);
  }
  const schemas: Record<string, SchemaObject> = {
    ...ERROR_COMPONENTS,
    ...DIAGNOSTIC_COMPONENTS,
    ...RUN_COMPONENTS,
    ...WORKFLOW_COMPONENTS,
    // The contract names the definitions; core, which validates them, has their full schemas.
    WorkflowDefinition: {
      ...definitions.WorkflowDefinition,
      description: WORKFLOW_COMPONENTS.WorkflowDefinition.description,
    },
    StepsDefinition: {
      ...definitions.StepsDefinition,
      description: WORKFLOW_COMPONENTS.StepsDefinition.description,
    },
    ...DATA_COMPONENTS,
    ...KEY_COMPONENTS,
    ...WEBHOOK_COMPONENTS,
    ...SEED_API_COMPONENTS,
    ...ANSWER_COMPONENTS,
    ...SERVICE_COMPONENTS,
    ...TASK_TYPE_COMPONENTS,
    ...ADMIN_COMPONENTS,
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Weft API',
      version: '0.1.0',
      summary: 'Run AI workflows on a Kafka-native engine.',
      description: [
        "Every `/v1` and `/api` route needs an API key, as `X-API-Key: <key>` or `Authorization: Bearer <key>`; everything is scoped to the key's app. Only `/v1/admin`, for operators, takes the gateway's admin token instead.",
        `Each key may make \`RATE_LIMIT_PER_MINUTE\` requests a minute (default ${facts.rateLimitPerMinute}), per gateway instance; beyond it the answer is 429 \`rate_limited\`.`,
        `Request bodies are JSON (\`Content-Type: application/json\`), at most \`BODY_LIMIT_BYTES\` (default ${facts.bodyLimitBytes}); an artifact upload's body is the bytes themselves, of the type its \`Content-Type\` says.`,
        'Every error is `{error: {code, message, details}}` with a stable `code`; a route that does not exist is 404 `not_found`. So are the errors of the HTTP layer itself: 400 `invalid_request` for a malformed request line or header, 408 `request_timeout`, 431 `headers_too_large`.',
        `Requests from one client address whose API keys failed \`AUTH_FAILURES_PER_MINUTE\` times a minute (default ${facts.authFailuresPerMinute}) are answered 429 \`too_many_auth_failures\` unread for a while.`,
        'Every answer behind an API key carries `Cache-Control: no-store`, except the immutable bytes of an artifact.',
        '`/metrics` belongs on an internal network; where it cannot be, set `METRICS_TOKEN` and scrape with `Authorization: Bearer <token>`.',
        'Every answer carries `X-Request-Id`. `/v1` times are ISO-8601; `/api` times are unix seconds (as the seed shows).',
      ].join('\n'),
    },
    tags: Object.entries(API_TAGS).map(([name, description]) => ({ name, description })),
    security: [{ ApiKeyHeader: [] }, { BearerAuth: [] }],
    paths,
    components: {
      schemas,
      responses: {
        ...Object.fromEntries(
          Object.entries(SHARED_ERRORS).map(([name, { response }]) => [name, response]),
        ),
        RouteNotFound: errorWithDetails(['not_found'], {
          method: { type: 'string' },
          path: { type: 'string' },
        }),
      },
      parameters: PATH_PARAMETERS,
      headers: headers(facts),
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
        AdminToken: {
          type: 'http',
          scheme: 'bearer',
          description:
            "The gateway's `ADMIN_TOKEN`, as `Authorization: Bearer <token>`: `/v1/admin` only.",
        },
      },
    },
  };
}
