import { hostname } from 'node:os';
import {
  ConfigError,
  integer,
  oneOf,
  parsePublicUrl,
  readBaseConfig,
  type BaseConfig,
} from '@weft/config';
import { getTaskType, type Region } from '@weft/core';
import type { WorkerOptions } from './worker';

export interface WorkerConfig extends BaseConfig, WorkerOptions {
  /** `PUBLIC_URL`: the gateway's external base URL, on which artifact URLs are built. */
  publicUrl: string;
}

/**
 * Reads the worker's settings: `STEP_TYPES` (comma-separated task types, or `*` for every type
 * this build has a handler for; default `*`), `REGION` (global, us or eu; default global),
 * `WORKER_CONCURRENCY` (default 32), `WORKER_ID`, `WORKER_SESSION_TIMEOUT_MS` (default 15000),
 * `WORKER_SHUTDOWN_GRACE_MS` (default 25000), `PUBLIC_URL` (the gateway's external URL, default
 * http://localhost:8080). Provider settings are read by `readProviderConfig`.
 */
export function readWorkerConfig(
  handled: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): WorkerConfig {
  const requested = (env.STEP_TYPES ?? '*').trim();
  const stepTypes =
    requested === '*' || requested === ''
      ? [...handled]
      : requested
          .split(',')
          .map((type) => type.trim())
          .filter(Boolean);
  for (const type of stepTypes) {
    if (!getTaskType(type))
      throw new ConfigError(`STEP_TYPES names an unknown task type "${type}"`);
    if (!handled.includes(type)) {
      throw new ConfigError(`STEP_TYPES names "${type}", which this worker has no handler for`);
    }
  }
  return Object.freeze({
    ...readBaseConfig(env),
    stepTypes: Object.freeze(stepTypes),
    publicUrl: parsePublicUrl(env.PUBLIC_URL?.trim() || 'http://localhost:8080'),
    region: oneOf<Region>(env, 'REGION', ['global', 'us', 'eu'], 'global'),
    concurrency: integer(env, 'WORKER_CONCURRENCY', 32, { min: 1, max: 10_000 }),
    workerId: env.WORKER_ID?.trim() || `${hostname()}-${process.pid}`,
    sessionTimeoutMs: integer(env, 'WORKER_SESSION_TIMEOUT_MS', 15_000, {
      min: 6_000,
      max: 300_000,
    }),
    shutdownGraceMs: integer(env, 'WORKER_SHUTDOWN_GRACE_MS', 25_000, { min: 0, max: 600_000 }),
    commitIntervalMs: integer(env, 'WORKER_COMMIT_INTERVAL_MS', 500, { min: 10, max: 60_000 }),
  });
}
