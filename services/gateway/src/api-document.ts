import { openApiDocument, type OpenApiDocument } from '@weft/contract';
import { CANONICAL_DEFINITION_SCHEMA, STEPS_DEFINITION_SCHEMA } from '@weft/core';
import {
  DEFAULT_AUTH_FAILURES_PER_MINUTE,
  DEFAULT_BODY_LIMIT_BYTES,
  DEFAULT_RATE_LIMIT_PER_MINUTE,
  DEFAULT_STREAM_LIMITS,
} from './config';
import { KEEP_ALIVE_MS, KEY_CHECK_MS, MAX_UNSENT_BYTES } from './live-streams';

/**
 * The OpenAPI document this gateway serves at `/openapi.json` and renders at `/docs`: generated
 * by the contract from its operations and shapes, with the gateway's defaults and core's
 * definition schemas. Integration tests check every JSON answer against it.
 */
export const OPENAPI_DOCUMENT: OpenApiDocument = openApiDocument({
  facts: {
    rateLimitPerMinute: DEFAULT_RATE_LIMIT_PER_MINUTE,
    authFailuresPerMinute: DEFAULT_AUTH_FAILURES_PER_MINUTE,
    bodyLimitBytes: DEFAULT_BODY_LIMIT_BYTES,
    streamsPerKey: DEFAULT_STREAM_LIMITS.perKey,
    streamsPerApp: DEFAULT_STREAM_LIMITS.perApp,
    streamKeepAliveMs: KEEP_ALIVE_MS,
    streamKeyCheckMs: KEY_CHECK_MS,
    streamMaxUnsentBytes: MAX_UNSENT_BYTES,
  },
  definitions: {
    WorkflowDefinition: CANONICAL_DEFINITION_SCHEMA,
    StepsDefinition: STEPS_DEFINITION_SCHEMA,
  },
});
