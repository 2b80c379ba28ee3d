export { createGatewayApp } from './app';
export { answerClientErrors } from './client-errors';
export {
  DEFAULT_AUTH_FAILURES_PER_MINUTE,
  DEFAULT_BODY_LIMIT_BYTES,
  DEFAULT_MAX_KEYS_PER_APP,
  DEFAULT_RATE_LIMIT_PER_MINUTE,
  DEFAULT_SHUTDOWN_GRACE_MS,
  DEFAULT_STREAM_LIMITS,
  readGatewayConfig,
  type GatewayConfig,
} from './config';
export type { GatewayDeps, ObservedExchange } from './deps';
export { LiveStreams, type LiveStreamsOptions } from './live-streams';
export { OPENAPI_DOCUMENT } from './api-document';
export type { NodeView, RunSummaryView, RunView } from './run-view';
export { startGateway, type RunningGateway } from './server';
export { StepPoolExplainer } from './waiting';
