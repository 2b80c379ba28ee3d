import { brokerAnswers, createKafkaClient, onKafkaRequest } from '@weft/kafka';
import {
  createLogger,
  runMetricsObserver,
  startHealthServer,
  startTracing,
  stopOnSignals,
  WeftMetrics,
} from '@weft/observability';
import {
  connectDatabase,
  databaseAnswers,
  DefinitionStore,
  OutboxPublisher,
  RunStore,
} from '@weft/store';
import { readOrchestratorConfig } from './config';
import { Orchestrator } from './orchestrator';

// Named in the process list, so an operator sees which service a pid is.
process.title = 'weft-orchestrator';

async function main(): Promise<void> {
  const config = readOrchestratorConfig();
  const log = createLogger('orchestrator', { level: config.logLevel });
  const tracing = startTracing('orchestrator');
  const kafka = createKafkaClient({
    brokers: [...config.kafkaBrokers],
    clientId: 'weft-orchestrator',
    ...(config.kafkaNamespace ? { namespace: config.kafkaNamespace } : {}),
  });
  const metrics = new WeftMetrics('orchestrator');
  onKafkaRequest((api) => metrics.kafkaRequests.inc({ api }));
  const connection = await connectDatabase(config.mongoUri, {
    onCommand: (command) => metrics.databaseCommands.inc({ command }),
  });
  const producer = await kafka.producer();
  const definitions = new DefinitionStore(connection);
  const runs = new RunStore(connection, definitions, new OutboxPublisher(connection, producer));
  await runs.ensureIndexes();
  runs.observe(runMetricsObserver(metrics));
  const orchestrator = new Orchestrator(kafka, runs, config, log, metrics);
  // Up before the consumer joins: /healthz answers at once, /readyz once everything does.
  const health = await startHealthServer({
    port: config.healthPort,
    metrics,
    ...(config.metricsToken === undefined ? {} : { metricsToken: config.metricsToken }),
    checks: {
      database: () => databaseAnswers(connection),
      kafka: () => brokerAnswers(kafka),
      consumer: async () => {
        if (!orchestrator.ready) throw new Error('not consuming step results');
      },
    },
  });
  log.info('health endpoints', { port: health.port });
  await orchestrator.start();
  stopOnSignals(log, [
    () => orchestrator.stop(),
    () => health.close(),
    () => tracing.shutdown(),
    () => producer.disconnect(),
    () => connection.close(),
  ]);
}

main().catch((error: unknown) => {
  process.stderr.write(`orchestrator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
