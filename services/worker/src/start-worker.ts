import type { ProviderConfig } from '@weft/providers';
import { composeService, startConsuming, type Running, type ServiceDeps } from '@weft/service';
import { createStepHandlers, type StepHandler } from '@weft/steps';
import {
  AppStore,
  AttemptClaims,
  GridFsArtifactStore,
  ResultStore,
  S3ArtifactStore,
  VectorStore,
  WebhookEndpointStore,
} from '@weft/store';
import type { WorkerConfig } from './config';
import { Worker } from './worker';

/** What startWorker may be handed instead of making it. */
export interface WorkerDeps extends ServiceDeps {
  /** A handler for every served task type. Default: every task type's, on the worker's stores. */
  handlers?: Readonly<Record<string, StepHandler>>;
}

/** Where each provider family goes, for the start-up log: URLs only, never keys. */
function describeProviders(providers: ProviderConfig): Record<string, string> {
  return {
    openai: providers.openai ? providers.openai.baseUrl : 'not configured: local provider',
    fal: providers.fal ? providers.fal.baseUrl : 'not configured: local provider',
    imageModel: providers.defaults.imageModel,
    textModel: providers.defaults.textModel,
    embeddingModel: providers.defaults.embeddingModel,
    modelRoutes: String(Object.keys(providers.models).length),
  };
}

/**
 * Starts a worker: its database and Kafka client (unless `deps` has them), the step handlers and
 * their stores, the health endpoints, then the consumers of its step topics. Stops in the reverse
 * order.
 */
export function startWorker(
  config: WorkerConfig,
  deps: WorkerDeps = {},
): Promise<Running<{ worker: Worker }>> {
  const service = { name: 'worker', kafkaClientId: `weft-worker-${config.workerId}` };
  return composeService(service, config, deps, async (io) => {
    let handlers = deps.handlers;
    if (!handlers) {
      const apps = new AppStore(io.connection);
      const gridFs = new GridFsArtifactStore(io.connection);
      const results = new ResultStore(io.connection);
      const vectors = new VectorStore(io.connection);
      const endpoints = new WebhookEndpointStore(io.connection);
      await io.ensureIndexes(gridFs, results, vectors, endpoints);
      handlers = createStepHandlers({
        providers: config.providers,
        artifacts: config.s3Artifacts ? new S3ArtifactStore(config.s3Artifacts) : gridFs,
        results,
        vectors,
        publicUrl: config.publicUrl,
        allowPrivateNetworks: config.allowPrivateNetworks,
        secrets: config.stepSecrets,
        webhookSecrets: async (appId) => {
          const secret = await apps.webhookSecret(appId);
          return secret ? [secret] : [];
        },
        webhookEndpoints: (appId, event) => endpoints.forEvent(appId, event),
      });
      io.log.info('providers', describeProviders(config.providers));
    }
    const claims = new AttemptClaims(io.connection);
    await io.ensureIndexes(claims);
    const worker = new Worker(io.kafka, claims, handlers, config, io.log, io.metrics);
    await startConsuming(io, 'worker', worker, {
      name: 'consumers',
      unready: 'not consuming its step topics',
    });
    return { worker };
  });
}
