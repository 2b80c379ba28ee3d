export { createLogger, type Logger, type LogFields } from './logger';
export { WeftMetrics } from './metrics';
export {
  BoundedLabel,
  DEFAULT_MAX_LABEL_VALUES,
  metricsScrapeAllowed,
  OTHER_LABEL,
} from './metrics-access';
export { checkReadiness, startHealthServer, type Readiness, type ReadinessCheck } from './health';
export { runMetricsObserver, workflowLabel } from './run-metrics';
export { inSpan, startTracing, type Tracing } from './tracing';
export { PeriodicTasks } from './periodic-tasks';
