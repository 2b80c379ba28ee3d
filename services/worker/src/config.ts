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
import { readProviderConfig, type ProviderConfig } from '@weft/providers';
import { parseStepSecrets, type StepSecrets } from '@weft/steps';
import { s3ArtifactStoreOptionsFromEnv, type S3ArtifactStoreOptions } from '@weft/store';
import { allowPrivateFromEnv } from '@weft/webhooks';

/** How a worker runs; each default is in WORKER_DEFAULTS, beside. */
export interface WorkerOptions {
  /** Partitions of the topics created at start (see BaseConfig.topicPartitions). */
  topicPartitions: { steps: number; results: number };
  /**
   * `STEP_TYPES`: the task types served, comma-separated, each with a handler; `*` for every type
   * the worker has a handler for. Default: `*`.
   */
  stepTypes: readonly string[];
  /** `REGION`: `global` serves global workflows only; `us` or `eu` its own and global ones. Default: global. */
  region: Region;
  /** `WORKER_CONCURRENCY`: steps run at once, across all partitions. Default: 32. */
  concurrency: number;
  /** `WORKER_ID`: this worker in logs, metrics and claims. Default: `<hostname>-<pid>`. */
  workerId: string;
  /**
   * `WORKER_SESSION_TIMEOUT_MS`: how soon the broker gives a silent worker's partitions to others.
   * Default: 15000 ms.
   */
  sessionTimeoutMs: number;
  /**
   * `WORKER_SHUTDOWN_GRACE_MS`: how long SIGTERM waits for steps in flight before handing them
   * back. Default: 25000 ms.
   */
  shutdownGraceMs: number;
  /** `WORKER_COMMIT_INTERVAL_MS`: how often finished positions are committed. Default: 500 ms. */
  commitIntervalMs: number;
  /**
   * How long a worker may go without beating before another takes over the attempts it claimed.
   * Longer than any pause a live process has (GC, a starved CPU), shorter than a step deadline.
   * Default: 10000 ms.
   */
  holderStaleMs: number;
  /**
   * How long a step runs before the worker reports that it started. Quicker steps are reported by
   * their result alone. Default: 25 ms.
   */
  startedReportDelayMs: number;
}

/** The worker's defaults, as documented on WorkerOptions. */
export const WORKER_DEFAULTS = Object.freeze({
  region: 'global',
  concurrency: 32,
  sessionTimeoutMs: 15_000,
  shutdownGraceMs: 25_000,
  commitIntervalMs: 500,
  holderStaleMs: 10_000,
  startedReportDelayMs: 25,
  publicUrl: 'http://localhost:8080',
} satisfies Partial<WorkerOptions> & { publicUrl: string });

export interface WorkerConfig extends BaseConfig, WorkerOptions {
  /**
   * `PUBLIC_URL`: the gateway's external base URL, on which artifact URLs are built. Default:
   * http://localhost:8080.
   */
  publicUrl: string;
  /** The providers steps call (`OPENAI_*`, `FAL_*`, `WEFT_*_MODEL`…; see readProviderConfig). */
  providers: ProviderConfig;
  /**
   * `ARTIFACT_STORE=s3` with the `S3_*` variables: artifacts go to that bucket. Default: none,
   * artifacts in MongoDB's GridFS (`ARTIFACT_STORE=gridfs`).
   */
  s3Artifacts?: S3ArtifactStoreOptions;
  /**
   * `WEBHOOK_ALLOW_PRIVATE=1` (or `true`): `emit_webhook` and media fetches may reach private and
   * loopback addresses; development only. Default: off.
   */
  allowPrivateNetworks: boolean;
  /**
   * `STEP_SECRETS`: the secrets `http_request` steps may send in headers, as a JSON object by name:
   * `{"ACME_TOKEN": {"value": "…", "origins": ["https://api.acme.com"], "apps": ["app_…"]}}`. A
   * secret goes only to its origins, and only from the runs of its apps (absent: every app).
   * Default: none.
   */
  stepSecrets: StepSecrets;
}

/**
 * Reads the worker's settings (see WorkerOptions and WorkerConfig for each variable and default);
 * `handled` are the task types it has handlers for. Throws ConfigError naming what to fix.
 */
export function readWorkerConfig(handled: readonly string[], env: NodeJS.ProcessEnv): WorkerConfig {
  const defaults = WORKER_DEFAULTS;
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
  const s3Artifacts = s3ArtifactStoreOptionsFromEnv(env);
  const stepSecrets = parseStepSecrets(env.STEP_SECRETS);
  if ('problem' in stepSecrets) throw new ConfigError(stepSecrets.problem);
  return Object.freeze({
    ...readBaseConfig(env),
    stepTypes: Object.freeze(stepTypes),
    publicUrl: parsePublicUrl(env.PUBLIC_URL?.trim() || defaults.publicUrl),
    region: oneOf<Region>(env, 'REGION', ['global', 'us', 'eu'], defaults.region),
    concurrency: integer(env, 'WORKER_CONCURRENCY', defaults.concurrency, { min: 1, max: 10_000 }),
    workerId: env.WORKER_ID?.trim() || `${hostname()}-${process.pid}`,
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
    holderStaleMs: defaults.holderStaleMs,
    startedReportDelayMs: defaults.startedReportDelayMs,
    providers: readProviderConfig(env),
    ...(s3Artifacts ? { s3Artifacts } : {}),
    allowPrivateNetworks: allowPrivateFromEnv(env),
    stepSecrets: stepSecrets.secrets,
  });
}
