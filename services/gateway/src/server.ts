import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { engineTopics } from '@weft/core';
import { ensureTopics } from '@weft/kafka';
import { TaskTypeRegistry } from '@weft/task-registry';
import { runMetricsObserver } from '@weft/observability';
import { composeService, serviceRuns, type ServiceDeps } from '@weft/service';
import {
  AppStore,
  DefinitionStore,
  GridFsArtifactStore,
  ResultStore,
  S3ArtifactStore,
  VectorStore,
  WebhookDeliveryStore,
  WebhookEndpointStore,
  WorkflowStore,
} from '@weft/store';
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
 * Connects to the database and Kafka (unless `deps` has them), creates indexes and topics, reads
 * the registered task types to their end (and goes on following them), and listens on
 * `config.port`, where it serves the API and its own `/healthz`, `/readyz` and `/metrics`.
 * Whatever was connected is disconnected again if a later step fails.
 */
export async function startGateway(
  config: GatewayConfig,
  deps: ServiceDeps = {},
): Promise<RunningGateway> {
  const service = { name: 'gateway', kafkaClientId: 'weft-gateway' };
  const running = await composeService(service, config, deps, async (io) => {
    const { connection, kafka } = io;
    await ensureTopics(kafka, engineTopics(config.topicPartitions));
    const definitions = new DefinitionStore(connection);
    const runs = await serviceRuns(io, definitions);
    const apps = new AppStore(connection);
    const workflows = new WorkflowStore(connection, definitions);
    const gridFs = new GridFsArtifactStore(connection);
    const results = new ResultStore(connection);
    const vectors = new VectorStore(connection);
    const webhookEndpoints = new WebhookEndpointStore(connection);
    const webhookDeliveries = new WebhookDeliveryStore(connection);
    await io.ensureIndexes(
      definitions,
      apps,
      workflows,
      runs.store,
      gridFs,
      results,
      vectors,
      webhookEndpoints,
      webhookDeliveries,
    );

    if (io.metrics) runs.engine.observe(runMetricsObserver(io.metrics));
    // Read to its end before the first request: a workflow naming a registered type is never
    // refused for want of having read it yet.
    const taskTypes = new TaskTypeRegistry(kafka, {
      onInvalidRecord: (record) =>
        io.log.warn('task type record is not a valid registration: its name is unregistered', {
          ...record,
        }),
    });
    io.parts.add('task type registry', () => taskTypes.stop());
    await taskTypes.start();
    const liveStreams = new LiveStreams({
      maxPerKey: config.maxStreamsPerKey,
      maxPerApp: config.maxStreamsPerApp,
      revokedAmong: (keyIds) => apps.revokedAmong(keyIds),
      logger: io.log,
    });
    const app = createGatewayApp({
      ...(io.metrics ? { metrics: io.metrics } : {}),
      waiting: new StepPoolExplainer(kafka, (run) => definitions.get(run.definitionId)),
      readiness: io.readiness,
      taskTypes,
      apps,
      workflows,
      runs: runs.store,
      engine: runs.engine,
      artifacts: config.s3Artifacts ? new S3ArtifactStore(config.s3Artifacts) : gridFs,
      results,
      vectors,
      webhookEndpoints,
      webhookDeliveries,
      allowPrivateWebhooks: config.allowPrivateWebhooks ?? false,
      logger: io.log,
      bodyLimitBytes: config.bodyLimitBytes,
      artifactLimitBytes: config.artifactLimitBytes,
      rateLimitPerMinute: config.rateLimitPerMinute,
      authFailuresPerMinute: config.authFailuresPerMinute,
      maxKeysPerApp: config.maxKeysPerApp,
      liveStreams,
      ...(config.trustProxy === undefined ? {} : { trustProxy: config.trustProxy }),
      ...(config.metricsToken === undefined ? {} : { metricsToken: config.metricsToken }),
      ...(config.adminToken === undefined ? {} : { adminToken: config.adminToken }),
      ...(config.publicUrl === undefined ? {} : { publicUrl: config.publicUrl }),
    });
    const server = createServer(app);
    answerClientErrors(server);
    io.parts.add('http server', async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Streams would otherwise hold the server open for the whole grace period.
      liveStreams.close();
      server.closeIdleConnections();
      const grace = setTimeout(() => server.closeAllConnections(), config.shutdownGraceMs);
      await closed;
      clearTimeout(grace);
    });
    const address = await listen(server, config.port);
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return { url: `http://${host}:${address.port}` };
  });
  return { url: running.url, close: () => running.stop() };
}
