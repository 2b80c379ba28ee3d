import { brokerAnswers, createKafkaClient, onKafkaRequest } from '@weft/kafka';
import {
  createLogger,
  startHealthServer,
  startTracing,
  stopOnSignals,
  WeftMetrics,
} from '@weft/observability';
import {
  AppStore,
  connectDatabase,
  databaseAnswers,
  DefinitionStore,
  OutboxPublisher,
  RunStore,
  WebhookDeliveryStore,
  WebhookEndpointStore,
} from '@weft/store';
import { readWebhooksConfig } from './config';
import { WebhookDispatcher } from './dispatcher';

// Named in the process list, so an operator sees which service a pid is.
process.title = 'weft-webhooks';

async function main(): Promise<void> {
  const config = readWebhooksConfig();
  const log = createLogger('webhooks', { level: config.logLevel });
  const tracing = startTracing('webhooks');
  const kafka = createKafkaClient({
    brokers: [...config.kafkaBrokers],
    clientId: 'weft-webhooks',
    ...(config.kafkaNamespace ? { namespace: config.kafkaNamespace } : {}),
  });
  const metrics = new WeftMetrics('webhooks');
  onKafkaRequest((api) => metrics.kafkaRequests.inc({ api }));
  const connection = await connectDatabase(config.mongoUri, {
    onCommand: (command) => metrics.databaseCommands.inc({ command }),
  });
  const producer = await kafka.producer();
  const runs = new RunStore(
    connection,
    new DefinitionStore(connection),
    new OutboxPublisher(connection, producer),
  );
  const endpoints = new WebhookEndpointStore(connection);
  const deliveries = new WebhookDeliveryStore(connection);
  await Promise.all([endpoints.ensureIndexes(), deliveries.ensureIndexes()]);
  const dispatcher = new WebhookDispatcher(
    kafka,
    { runs, apps: new AppStore(connection), endpoints, deliveries },
    config,
    log,
    metrics,
  );
  const health = await startHealthServer({
    port: config.healthPort,
    metrics,
    ...(config.metricsToken === undefined ? {} : { metricsToken: config.metricsToken }),
    checks: {
      database: () => databaseAnswers(connection),
      kafka: () => brokerAnswers(kafka),
      consumer: async () => {
        if (!dispatcher.ready) throw new Error('not consuming run events');
      },
    },
  });
  log.info('health endpoints', { port: health.port });
  await dispatcher.start();
  stopOnSignals(log, [
    () => dispatcher.stop(),
    () => health.close(),
    () => tracing.shutdown(),
    () => producer.disconnect(),
    () => connection.close(),
  ]);
}

main().catch((error: unknown) => {
  process.stderr.write(`webhooks: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
