import type { ProviderConfig } from '@weft/providers';
import { composeService, startConsuming, type Running, type ServiceDeps } from '@weft/service';
import { builtInTaskTypes, createStepHandlers } from '@weft/steps';
import {
  AppStore,
  GridFsArtifactStore,
  ResultStore,
  S3ArtifactStore,
  VectorStore,
  WebhookEndpointStore,
} from '@weft/store';
import { WorkerRuntime, type StepHandler } from '@weft/worker';
import type { WorkerConfig } from './config';

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
 * Starts a worker of Weft's own task types: its database and Kafka client (unless `deps` has
 * them), the step handlers and their stores, the health endpoints, then the runtime of
 * @weft/worker, which consumes their step topics. Stops in the reverse order.
 */
export function startWorker(
  config: WorkerConfig,
  deps: WorkerDeps = {},
): Promise<Running<{ worker: WorkerRuntime }>> {
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
    const served = builtInTaskTypes(handlers, config.stepTypes);
    const worker = new WorkerRuntime(io.kafka, served, config, io.log, io.metrics);
    await startConsuming(io, 'worker', worker, {
      name: 'consumers',
      unready: 'not consuming its step topics',
    });
    return { worker };
  });
}
