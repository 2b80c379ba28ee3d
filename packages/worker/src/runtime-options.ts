import { hostname } from 'node:os';
import { integer, oneOf } from '@weft/config';
import { REGIONS, type Region, type TopicPartitionCounts } from '@weft/core';

/** How a worker runtime runs; each default is in RUNTIME_DEFAULTS, beside. */
export interface RuntimeOptions {
  /** Partitions of the topics created at start. Default: core's (8 each). */
  topicPartitions: Partial<TopicPartitionCounts>;
  /** `global` serves global workflows only; `us` or `eu` its own and global ones. Default: global. */
  region: Region;
  /** Steps run at once, across all partitions. Default: 32. */
  concurrency: number;
  /** This worker in logs, metrics and leases. */
  workerId: string;
  /** How soon the broker gives a silent worker's partitions to others. Default: 15000 ms. */
  sessionTimeoutMs: number;
  /** How long `stop` waits for steps in flight before handing them back. Default: 25000 ms. */
  shutdownGraceMs: number;
  /** How often finished positions are committed. Default: 500 ms. */
  commitIntervalMs: number;
  /**
   * How long an attempt's lease lasts without a heartbeat (sent every quarter of it): a worker
   * that dies or hangs has its attempts run again this long after. Default: 20000 ms.
   */
  leaseMs: number;
}

/** The runtime's defaults, as documented on RuntimeOptions. */
export const RUNTIME_DEFAULTS = Object.freeze({
  topicPartitions: {},
  region: 'global',
  concurrency: 32,
  sessionTimeoutMs: 15_000,
  shutdownGraceMs: 25_000,
  commitIntervalMs: 500,
  leaseMs: 20_000,
} satisfies Omit<RuntimeOptions, 'workerId'>);

/**
 * Reads the runtime's options from the variables a worker process is configured with: `REGION`,
 * `WORKER_CONCURRENCY`, `WORKER_ID` (default `<hostname>-<pid>`), `WORKER_SESSION_TIMEOUT_MS`,
 * `WORKER_SHUTDOWN_GRACE_MS`, `WORKER_COMMIT_INTERVAL_MS`, `WORKER_LEASE_MS`, and the topic
 * partitions (`WEFT_STEP_PARTITIONS`, `WEFT_RESULT_PARTITIONS`, see readKafkaConfig). Throws
 * ConfigError naming what to fix.
 */
export function readRuntimeOptions(
  env: NodeJS.ProcessEnv,
  topicPartitions: RuntimeOptions['topicPartitions'],
): RuntimeOptions {
  const defaults = RUNTIME_DEFAULTS;
  return Object.freeze({
    topicPartitions,
    region: oneOf<Region>(env, 'REGION', REGIONS, defaults.region),
    concurrency: integer(env, 'WORKER_CONCURRENCY', defaults.concurrency, { min: 1, max: 10_000 }),
    workerId: env.WORKER_ID?.trim() || defaultWorkerId(),
    sessionTimeoutMs: integer(env, 'WORKER_SESSION_TIMEOUT_MS', defaults.sessionTimeoutMs, {
      min: 6_000,
      max: 300_000,
    }),
    shutdownGraceMs: integer(env, 'WORKER_SHUTDOWN_GRACE_MS', defaults.shutdownGraceMs, {
      min: 0,
      max: 600_000,
    }),
    commitIntervalMs: integer(env, 'WORKER_COMMIT_INTERVAL_MS', defaults.commitIntervalMs, {
      min: 10,
      max: 60_000,
    }),
    leaseMs: integer(env, 'WORKER_LEASE_MS', defaults.leaseMs, { min: 1_000, max: 600_000 }),
  });
}

/** A worker's id when none is given: its host and process. */
export function defaultWorkerId(): string {
  return `${hostname()}-${process.pid}`;
}
