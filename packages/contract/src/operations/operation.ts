import type { ApiErrorCode } from '../api-errors';
import type {
  HttpMethod,
  ParameterObject,
  ReferenceObject,
  RequestBodyObject,
  ResponseObject,
} from '../openapi/objects';

/** The groups operations are listed under, with what each holds. */
export const API_TAGS = {
  Runs: 'Start, follow, cancel and resume runs.',
  Workflows: 'Saved workflows: immutable versions under a slug.',
  'Task types': 'What a node may do: each type with the schemas of its input and result.',
  Artifacts: 'Bytes steps and workers stored (images, audio…): upload them, read them back.',
  Collections: 'Documents `store_results` wrote.',
  Indexes: 'Vector indexes: add items, search by cosine similarity.',
  Keys: "The app's API keys.",
  Webhooks: 'Endpoints that receive run events, and their deliveries.',
  'Seed API': 'The `/api` face: the same workflows and runs, seed-shaped.',
  Admin:
    "Apps, their keys and artifact uploads, for operators and workers serving many apps: behind the gateway's `ADMIN_TOKEN` (404 without one), not an API key.",
  Service: 'Health, readiness, metrics and this document; no API key needed.',
} as const;

export type ApiTag = keyof typeof API_TAGS;

/**
 * What a gateway is configured with that its answers show: the document states the defaults the
 * gateway has, so it takes them from the gateway rather than writing them again.
 */
export interface GatewayFacts {
  rateLimitPerMinute: number;
  authFailuresPerMinute: number;
  bodyLimitBytes: number;
  streamsPerKey: number;
  streamsPerApp: number;
  streamKeepAliveMs: number;
  streamKeyCheckMs: number;
  streamMaxUnsentBytes: number;
}

/**
 * One route of the API, declared once: the gateway serves it and the OpenAPI document describes
 * it from this.
 */
export interface Operation {
  method: HttpMethod;
  /** With `{name}` path parameters, each a parameter component of that name. */
  path: string;
  operationId: string;
  tags: ApiTag[];
  summary: string;
  description?: string | ((facts: GatewayFacts) => string);
  /**
   * `key`: behind an API key, rate-limited, never cached; the document adds the errors of
   * authentication (and of reading a body, for a method that takes one). `admin`: the same behind
   * the admin token, without the rate limit. `open`: no key, and `responses` are every answer.
   */
  access: 'key' | 'admin' | 'open';
  /** Query and header parameters; path parameters come from `path`. */
  parameters?: (ParameterObject | ReferenceObject)[];
  requestBody?: RequestBodyObject;
  /** The answers; for a `key` or `admin` operation, those that are not errors. */
  responses: Record<string, ResponseObject | ((facts: GatewayFacts) => ResponseObject)>;
  /** Its own error codes, beyond authentication's and reading a body's. */
  errors?: readonly ApiErrorCode[];
}
