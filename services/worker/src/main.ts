import { listTaskTypes } from '@weft/core';
import { brokerAnswers, createKafkaClient, onKafkaRequest } from '@weft/kafka';
import {
  createLogger,
  startHealthServer,
  startTracing,
  stopOnSignals,
  WeftMetrics,
} from '@weft/observability';
import { readProviderConfig, type ProviderConfig } from '@weft/providers';
import { createStepHandlers } from '@weft/steps';
import {
  AppStore,
  AttemptClaims,
  connectDatabase,
  databaseAnswers,
  GridFsArtifactStore,
  ResultStore,
  s3ArtifactStoreFromEnv,
  VectorStore,
  WebhookEndpointStore,
} from '@weft/store';
import { allowPrivateFromEnv } from '@weft/webhooks';
import { readWorkerConfig } from './config';
import { Worker } from './worker';

// Named in the process list, so an operator sees which service a pid is.
process.title = 'weft-worker';

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

async function main(): Promise<void> {
  const providers = readProviderConfig();
  const s3 = s3ArtifactStoreFromEnv();
  // Every task type has a handler (a test holds createStepHandlers to that).
  const config = readWorkerConfig(listTaskTypes().map((type) => type.name));
  const log = createLogger('worker', {
    level: config.logLevel,
    base: { workerId: config.workerId },
  });
  const tracing = startTracing('worker');
  const metrics = new WeftMetrics('worker');
  onKafkaRequest((api) => metrics.kafkaRequests.inc({ api }));
  const connection = await connectDatabase(config.mongoUri, {
    onCommand: (command) => metrics.databaseCommands.inc({ command }),
  });
  const apps = new AppStore(connection);
  const gridFs = new GridFsArtifactStore(connection);
  const results = new ResultStore(connection);
  const vectors = new VectorStore(connection);
  const endpoints = new WebhookEndpointStore(connection);
  await Promise.all([
    gridFs.ensureIndexes(),
    results.ensureIndexes(),
    vectors.ensureIndexes(),
    endpoints.ensureIndexes(),
  ]);
  const handlers = createStepHandlers({
    providers,
    artifacts: s3 ?? gridFs,
    results,
    vectors,
    publicUrl: config.publicUrl,
    allowPrivateNetworks: allowPrivateFromEnv(),
    webhookSecrets: async (appId) => {
      const secret = await apps.webhookSecret(appId);
      return secret ? [secret] : [];
    },
    webhookEndpoints: (appId, event) => endpoints.forEvent(appId, event),
  });
  log.info('providers', describeProviders(providers));
  const kafka = createKafkaClient({
    brokers: [...config.kafkaBrokers],
    clientId: `weft-worker-${config.workerId}`,
    ...(config.kafkaNamespace ? { namespace: config.kafkaNamespace } : {}),
  });
  const claims = new AttemptClaims(connection);
  await claims.ensureIndexes();
  const worker = new Worker(kafka, claims, handlers, config, log, metrics);
  const health = await startHealthServer({
    port: config.healthPort,
    metrics,
    ...(config.metricsToken === undefined ? {} : { metricsToken: config.metricsToken }),
    checks: {
      database: () => databaseAnswers(connection),
      kafka: () => brokerAnswers(kafka),
      consumers: async () => {
        if (!worker.ready) throw new Error('not consuming its step topics');
      },
    },
  });
  log.info('health endpoints', { port: health.port });
  await worker.start();
  stopOnSignals(log, [
    () => worker.stop(),
    () => health.close(),
    () => tracing.shutdown(),
    () => connection.close(),
  ]);
}

main().catch((error: unknown) => {
  process.stderr.write(`worker: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
