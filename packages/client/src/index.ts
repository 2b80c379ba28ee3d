export {
  CLIENT_VERSION,
  DEFAULT_WEFT_URL,
  WeftClient,
  type RunEventsOptions,
  type WeftClientOptions,
} from './weft-client';
export type { CallOptions } from './call-options';
export { WeftApiError, WeftConnectionError, WeftWaitTimeoutError } from './errors';
export { apiErrorOf } from './transport';
export { RunsApi, newIdempotencyKey } from './runs-api';
export { WorkflowsApi } from './workflows-api';
export { ArtifactsApi, CollectionsApi, IndexesApi, artifactIdOf } from './data-api';
export { AdminApi, AdminArtifactsApi } from './admin-api';
export { AdminTaskTypesApi } from './admin-task-types-api';
export type { UploadArtifactOptions } from './artifact-upload';
export type { BytesBody } from './transport';
export { KeysApi } from './keys-api';
export { TaskTypesApi } from './task-types-api';
export { WebhooksApi } from './webhooks-api';
export { SeedApi } from './seed-api';
export { DEFAULT_POLL_INTERVAL_MS, type WaitOptions } from './wait-for-run';
export { RunTracker } from './run-tracker';
export { SseParser, readServerSentEvents, type ServerSentEvent } from './sse-parser';
export { runEventOf } from './run-events';
export {
  DEFAULT_RETRY_POLICY,
  backoffDelayMs,
  parseRetryAfter,
  type RetryPolicy,
} from './retry-policy';
export * from './types';
