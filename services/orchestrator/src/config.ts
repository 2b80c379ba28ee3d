import { integer, readBaseConfig, type BaseConfig } from '@weft/config';

/** How the orchestrator runs; each default is in ORCHESTRATOR_DEFAULTS, beside. */
export interface OrchestratorOptions {
  /** Partitions of the topics created at start (see BaseConfig.topicPartitions). */
  topicPartitions: { steps: number; results: number };
  /**
   * `ORCHESTRATOR_SESSION_TIMEOUT_MS`: how soon the broker gives a silent orchestrator's
   * partitions to the others. Default: 10000 ms.
   */
  sessionTimeoutMs: number;
  /**
   * `ORCHESTRATOR_CONCURRENCY`: partitions of step results handled at once; one run's results
   * stay in order. Default: 8.
   */
  partitionsConsumedConcurrently: number;
  /** `ORCHESTRATOR_TIMER_INTERVAL_MS`: how often due timers are looked for. Default: 250 ms. */
  timerIntervalMs: number;
  /** `ORCHESTRATOR_SWEEP_INTERVAL_MS`: how often stale outboxes are looked for. Default: 1000 ms. */
  sweepIntervalMs: number;
  /**
   * `ORCHESTRATOR_SWEEP_AFTER_MS`: an outbox entry older than this is presumed orphaned by a crash
   * and re-published. Default: 3000 ms.
   */
  sweepAfterMs: number;
  /**
   * `ORCHESTRATOR_METRICS_INTERVAL_MS`: how often backlog gauges (consumer lag, outbox) are
   * sampled. Default: 15000 ms.
   */
  metricsIntervalMs: number;
}

/** The orchestrator's defaults, as documented on OrchestratorOptions. */
export const ORCHESTRATOR_DEFAULTS = Object.freeze({
  sessionTimeoutMs: 10_000,
  partitionsConsumedConcurrently: 8,
  timerIntervalMs: 250,
  sweepIntervalMs: 1_000,
  sweepAfterMs: 3_000,
  metricsIntervalMs: 15_000,
} satisfies Omit<OrchestratorOptions, 'topicPartitions'>);

export interface OrchestratorConfig extends BaseConfig, OrchestratorOptions {}

/** Reads the orchestrator's settings; throws ConfigError naming what to fix. */
export function readOrchestratorConfig(env: NodeJS.ProcessEnv): OrchestratorConfig {
  const defaults = ORCHESTRATOR_DEFAULTS;
  return Object.freeze({
    ...readBaseConfig(env),
    sessionTimeoutMs: integer(env, 'ORCHESTRATOR_SESSION_TIMEOUT_MS', defaults.sessionTimeoutMs, {
      min: 6_000,
      max: 300_000,
    }),
    partitionsConsumedConcurrently: integer(
      env,
      'ORCHESTRATOR_CONCURRENCY',
      defaults.partitionsConsumedConcurrently,
      { min: 1, max: 256 },
    ),
    timerIntervalMs: integer(env, 'ORCHESTRATOR_TIMER_INTERVAL_MS', defaults.timerIntervalMs, {
      min: 10,
      max: 60_000,
    }),
    sweepIntervalMs: integer(env, 'ORCHESTRATOR_SWEEP_INTERVAL_MS', defaults.sweepIntervalMs, {
      min: 10,
      max: 600_000,
    }),
    sweepAfterMs: integer(env, 'ORCHESTRATOR_SWEEP_AFTER_MS', defaults.sweepAfterMs, {
      min: 100,
      max: 3_600_000,
    }),
    metricsIntervalMs: integer(
      env,
      'ORCHESTRATOR_METRICS_INTERVAL_MS',
      defaults.metricsIntervalMs,
      { min: 100, max: 600_000 },
    ),
  });
}
