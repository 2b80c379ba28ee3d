import { ConfigError, parsePublicUrl, readBaseConfig, type BaseConfig } from '@weft/config';
import { getTaskType } from '@weft/core';
import { readProviderConfig, type ProviderConfig } from '@weft/providers';
import { parseStepSecrets, type StepSecrets } from '@weft/steps';
import { s3ArtifactStoreOptionsFromEnv, type S3ArtifactStoreOptions } from '@weft/store';
import { allowPrivateFromEnv } from '@weft/webhooks';
import { readRuntimeOptions, type RuntimeOptions } from '@weft/worker';

/** The worker service's defaults of its own; the runtime's are RUNTIME_DEFAULTS (@weft/worker). */
export const WORKER_DEFAULTS = Object.freeze({ publicUrl: 'http://localhost:8080' });

/**
 * The worker service's settings: the runtime's (`REGION`, `WORKER_CONCURRENCY`, `WORKER_ID`,
 * `WORKER_SESSION_TIMEOUT_MS`, `WORKER_SHUTDOWN_GRACE_MS`, `WORKER_COMMIT_INTERVAL_MS`,
 * `WORKER_LEASE_MS`; see RuntimeOptions), the services' shared ones, and those below.
 */
export interface WorkerConfig extends BaseConfig, RuntimeOptions {
  topicPartitions: BaseConfig['topicPartitions'];
  /**
   * `STEP_TYPES`: the task types served, comma-separated, each with a handler; `*` for every type
   * the worker has a handler for. Default: `*`.
   */
  stepTypes: readonly string[];
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
  const base = readBaseConfig(env);
  return Object.freeze({
    ...base,
    ...readRuntimeOptions(env, base.topicPartitions),
    topicPartitions: base.topicPartitions,
    stepTypes: Object.freeze(stepTypes),
    publicUrl: parsePublicUrl(env.PUBLIC_URL?.trim() || WORKER_DEFAULTS.publicUrl),
    providers: readProviderConfig(env),
    ...(s3Artifacts ? { s3Artifacts } : {}),
    allowPrivateNetworks: allowPrivateFromEnv(env),
    stepSecrets: stepSecrets.secrets,
  });
}
