export { connectDatabase, databaseAnswers, type DatabaseOptions } from './database';
export { newId } from './ids';
export { DefinitionStore } from './definition-store';
export { OutboxPublisher } from './outbox-publisher';
export { RunStore } from './run-store';
export { RunEngine, type RunObserver } from './run-engine';
export type { AppliedTransition, SoonApplied } from './transition-writer';
export type { DeferOptions } from './deferred-clears';
export type { RunUpdate } from './run-document';
export type {
  Change,
  CreateRunInput,
  ListRunsQuery,
  OutboxEntry,
  RunWorkflowRef,
  StoredRun,
} from './stored-run';
export { apiKeyPrefix, generateApiKey, hashApiKey, type GeneratedApiKey } from './api-key';
export {
  AppStore,
  appNameProblem,
  KeyLimitError,
  type ApiKeyInfo,
  type ApiKeyPrincipal,
  type App,
  type CreatedApiKey,
} from './app-store';
export { apiKeyView, appView } from './app-views';
export {
  WorkflowStore,
  type WorkflowDefinitions,
  type WorkflowSummary,
  type WorkflowVersion,
  type WorkflowVersionSummary,
} from './workflow-store';
export {
  ARTIFACT_ID_PATTERN,
  GridFsArtifactStore,
  readArtifact,
  type ArtifactInfo,
  type ArtifactStore,
  type NewArtifact,
  type NewArtifactStream,
} from './artifact-store';
export { ResultStore, type StoredResult } from './result-store';
export {
  VectorMismatchError,
  VectorStore,
  type VectorItem,
  type VectorMatch,
} from './vector-store';
export {
  S3ArtifactStore,
  S3ArtifactStoreError,
  s3ArtifactStoreFromEnv,
  s3ArtifactStoreOptionsFromEnv,
  type S3ArtifactStoreOptions,
} from './s3-artifact-store';
export {
  SECRET_ROTATION_GRACE_MS,
  WebhookEndpointLimitError,
  WebhookEndpointStore,
  type SigningEndpoint,
  type WebhookEndpoint,
} from './webhook-endpoint-store';
export {
  webhookMessageId,
  WebhookDeliveryStore,
  type DeliveryAttempt,
  type DeliveryStatus,
  type WebhookDelivery,
} from './webhook-delivery-store';
