import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Connection } from 'mongoose';
import { engineTopics } from '@weft/core';
import {
  brokerAnswers,
  createKafkaClient,
  ensureTopics,
  onKafkaRequest,
  type KafkaProducer,
} from '@weft/kafka';
import { runMetricsObserver, WeftMetrics, type Logger } from '@weft/observability';
import {
  AppStore,
  connectDatabase,
  databaseAnswers,
  DefinitionStore,
  GridFsArtifactStore,
  OutboxPublisher,
  ResultStore,
  RunStore,
  s3ArtifactStoreFromEnv,
  VectorStore,
  WebhookDeliveryStore,
  WebhookEndpointStore,
  WorkflowStore,
} from '@weft/store';
import { allowPrivateFromEnv } from '@weft/webhooks';
import { createGatewayApp } from './app';
import { answerClientErrors } from './client-errors';
import { LiveStreams } from './live-streams';
import { StepPoolExplainer } from './waiting';
import type { GatewayConfig } from './config';

/** A gateway listening for requests. */
export interface RunningGateway {
  /** `http://<host>:<port>` it listens on. */
  url: string;
  /** Stops accepting requests, lets those in flight finish (within the grace period), disconnects. */
  close(): Promise<void>;
}

function listen(server: Server, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * Connects to the database and Kafka, creates indexes and topics, and listens on `config.port`.
 * Whatever was connected is disconnected again if a later step fails.
 */
export async function startGateway(config: GatewayConfig, logger: Logger): Promise<RunningGateway> {
  let connection: Connection | undefined;
  let producer: KafkaProducer | undefined;
  const metrics = new WeftMetrics('gateway');
  const stopCountingKafka = onKafkaRequest((api) => metrics.kafkaRequests.inc({ api }));
  const disconnect = async () => {
    stopCountingKafka();
    await Promise.allSettled([producer?.disconnect(), connection?.close()]);
  };
  try {
    connection = await connectDatabase(config.mongoUri, {
      onCommand: (command) => metrics.databaseCommands.inc({ command }),
    });
    const kafka = createKafkaClient({
      brokers: [...config.kafkaBrokers],
      clientId: 'weft-gateway',
      ...(config.kafkaNamespace === undefined ? {} : { namespace: config.kafkaNamespace }),
    });
    await ensureTopics(kafka, engineTopics(config.topicPartitions));
    producer = await kafka.producer();

    const definitions = new DefinitionStore(connection);
    const apps = new AppStore(connection);
    const workflows = new WorkflowStore(connection, definitions);
    const runs = new RunStore(connection, definitions, new OutboxPublisher(connection, producer));
    const gridFs = new GridFsArtifactStore(connection);
    const results = new ResultStore(connection);
    const vectors = new VectorStore(connection);
    const webhookEndpoints = new WebhookEndpointStore(connection);
    const webhookDeliveries = new WebhookDeliveryStore(connection);
    await Promise.all([
      definitions.ensureIndexes(),
      apps.ensureIndexes(),
      workflows.ensureIndexes(),
      runs.ensureIndexes(),
      gridFs.ensureIndexes(),
      results.ensureIndexes(),
      vectors.ensureIndexes(),
      webhookEndpoints.ensureIndexes(),
      webhookDeliveries.ensureIndexes(),
    ]);

    runs.observe(runMetricsObserver(metrics));
    const database = connection;
    const liveStreams = new LiveStreams({
      maxPerKey: config.maxStreamsPerKey,
      maxPerApp: config.maxStreamsPerApp,
      revokedAmong: (keyIds) => apps.revokedAmong(keyIds),
      logger,
    });
    const app = createGatewayApp({
      metrics,
      waiting: new StepPoolExplainer(kafka, (run) => definitions.get(run.definitionId)),
      readiness: {
        database: () => databaseAnswers(database),
        kafka: () => brokerAnswers(kafka),
      },
      apps,
      workflows,
      runs,
      artifacts: s3ArtifactStoreFromEnv() ?? gridFs,
      results,
      vectors,
      webhookEndpoints,
      webhookDeliveries,
      allowPrivateWebhooks: allowPrivateFromEnv(),
      logger,
      bodyLimitBytes: config.bodyLimitBytes,
      rateLimitPerMinute: config.rateLimitPerMinute,
      authFailuresPerMinute: config.authFailuresPerMinute,
      maxKeysPerApp: config.maxKeysPerApp,
      liveStreams,
      ...(config.trustProxy === undefined ? {} : { trustProxy: config.trustProxy }),
      ...(config.metricsToken === undefined ? {} : { metricsToken: config.metricsToken }),
      ...(config.publicUrl === undefined ? {} : { publicUrl: config.publicUrl }),
    });
    const server = createServer(app);
    answerClientErrors(server);
    const address = await listen(server, config.port);
    const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

    let closing: Promise<void> | undefined;
    const close = async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Streams would otherwise hold the server open for the whole grace period.
      liveStreams.close();
      server.closeIdleConnections();
      const grace = setTimeout(() => server.closeAllConnections(), config.shutdownGraceMs);
      await closed;
      clearTimeout(grace);
      await disconnect();
    };
    return {
      url,
      close: () => (closing ??= close()),
    };
  } catch (error) {
    await disconnect();
    throw error;
  }
}
