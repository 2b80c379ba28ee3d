import { integer, readBaseConfig, type BaseConfig } from '@weft/config';
import type { OrchestratorOptions } from './orchestrator';

export interface OrchestratorConfig extends BaseConfig, OrchestratorOptions {}

/** Reads the orchestrator's settings (see OrchestratorOptions for each default). */
export function readOrchestratorConfig(env: NodeJS.ProcessEnv = process.env): OrchestratorConfig {
  return Object.freeze({
    ...readBaseConfig(env),
    sessionTimeoutMs: integer(env, 'ORCHESTRATOR_SESSION_TIMEOUT_MS', 10_000, {
      min: 6_000,
      max: 300_000,
    }),
    partitionsConsumedConcurrently: integer(env, 'ORCHESTRATOR_CONCURRENCY', 8, {
      min: 1,
      max: 256,
    }),
    timerIntervalMs: integer(env, 'ORCHESTRATOR_TIMER_INTERVAL_MS', 250, { min: 10, max: 60_000 }),
    sweepIntervalMs: integer(env, 'ORCHESTRATOR_SWEEP_INTERVAL_MS', 1_000, {
      min: 10,
      max: 600_000,
    }),
    sweepAfterMs: integer(env, 'ORCHESTRATOR_SWEEP_AFTER_MS', 3_000, { min: 100, max: 3_600_000 }),
    metricsIntervalMs: integer(env, 'ORCHESTRATOR_METRICS_INTERVAL_MS', 15_000, {
      min: 100,
      max: 600_000,
    }),
  });
}
