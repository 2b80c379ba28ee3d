import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Connection } from 'mongoose';
import { engineTopics } from '@weft/core';
import {
  createKafkaClient,
  kafkaImplementationFromEnv,
  type KafkaClient,
  type KafkaProducer,
} from '@weft/kafka';
import { createLogger, WeftMetrics } from '@weft/observability';
import {
  AppStore,
  connectDatabase,
  DefinitionStore,
  GridFsArtifactStore,
  OutboxPublisher,
  ResultStore,
  RunEngine,
  RunStore,
  VectorStore,
  WebhookDeliveryStore,
  WebhookEndpointStore,
  WorkflowStore,
} from '@weft/store';
import {
  answerClientErrors,
  createGatewayApp,
  LiveStreams,
  StepPoolExplainer,
  type GatewayDeps,
  type LiveStreamsOptions,
} from '@weft/gateway';
import { TaskTypeRegistry } from '@weft/task-registry';
import { ContractRecorder } from '../../support/openapi-validator';
import { dropDatabase, uniqueName } from '../../support/test-infrastructure';

export interface GatewayResponse {
  status: number;
  /** The parsed JSON body; tests cast it to the view they expect. */
  body: unknown;
  headers: Headers;
}

/** The body of every error answer. */
export interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

/** A gateway in this process on a free port, over a database of its own and the real broker. */
export interface GatewayFixture {
  url: string;
  liveStreams: LiveStreams;
  /** Database commands sent so far, by name (`find`, `update`…). */
  commands: ReadonlyMap<string, number>;
  /** With `metrics: true`. */
  metrics?: WeftMetrics;
  connection: Connection;
  /** The fixture's own namespace on the broker: topics made with it are the gateway's. */
  kafka: KafkaClient;
  /** With `taskRegistry: true`: the registry the gateway follows. */
  taskTypes?: TaskTypeRegistry;
  definitions: DefinitionStore;
  apps: AppStore;
  runs: RunStore;
  engine: RunEngine;
  artifacts: GridFsArtifactStore;
  results: ResultStore;
  vectors: VectorStore;
  webhookDeliveries: WebhookDeliveryStore;
  /** An app made for the test, and its key. */
  appId: string;
  apiKey: string;
  /** Log lines the gateway wrote, parsed. */
  logs: Record<string, unknown>[];
  /** GET/POST with the fixture's key (or `headers` overriding it), JSON in and out. */
  request(
    method: string,
    path: string,
    options?: { body?: unknown; headers?: Record<string, string> },
  ): Promise<GatewayResponse>;
  /** Documents in a collection, to prove that refused requests stored nothing. */
  count(collection: string): Promise<number>;
  /** Another app and its key, to prove that apps cannot see each other's things. */
  otherApp(name?: string): Promise<{ appId: string; apiKey: string }>;
  close(): Promise<void>;
}

/** Options of {@link startGatewayFixture}; those absent get the gateway's defaults. */
export type GatewayFixtureOptions = Partial<
  Pick<
    GatewayDeps,
    | 'rateLimitPerMinute'
    | 'authFailuresPerMinute'
    | 'maxKeysPerApp'
    | 'metricsToken'
    | 'trustProxy'
    | 'adminToken'
    | 'artifactLimitBytes'
    | 'publicUrl'
  >
> & {
  /** Limits of the live streams, and how often their keys are checked. */
  streams?: Pick<LiveStreamsOptions, 'maxPerKey' | 'maxPerApp' | 'keyCheckMs'>;
  /** Count requests and serve `/metrics`. Default: no metrics. */
  metrics?: boolean;
  /** Follow the registered task types, as a started gateway does. Default: built-in types only. */
  taskRegistry?: boolean;
  /** Say why waiting nodes wait (`waiting` in run views), as a started gateway does. Default: off. */
  explainWaiting?: boolean;
};

export async function startGatewayFixture(
  name: string,
  options: GatewayFixtureOptions = {},
): Promise<GatewayFixture> {
  // Topics, groups and database of its own: tests never see each other's messages or documents.
  const namespace = uniqueName('t');
  const commands = new Map<string, number>();
  const connection = await connectDatabase(process.env.MONGODB_URI ?? '', {
    dbName: `${name}_${namespace}`.replaceAll('-', '_'),
    onCommand: (command) => commands.set(command, (commands.get(command) ?? 0) + 1),
  });
  const kafka = createKafkaClient({
    brokers: (process.env.KAFKA_BROKERS ?? '').split(','),
    clientId: namespace,
    namespace,
    logLevel: 'nothing',
    implementation: kafkaImplementationFromEnv(process.env),
  });
  const admin = await kafka.admin();
  // Few partitions: every test file creates all the engine's topics on the one broker.
  await admin.ensureTopics(engineTopics({ steps: 2, results: 2 }));
  await admin.disconnect();
  const producer: KafkaProducer = await kafka.producer();

  const definitions = new DefinitionStore(connection);
  const apps = new AppStore(connection);
  const workflows = new WorkflowStore(connection, definitions);
  const runs = new RunStore(connection);
  const engine = new RunEngine(runs, definitions, new OutboxPublisher(connection, producer));
  const artifacts = new GridFsArtifactStore(connection);
  const results = new ResultStore(connection);
  const vectors = new VectorStore(connection);
  const webhookEndpoints = new WebhookEndpointStore(connection);
  const webhookDeliveries = new WebhookDeliveryStore(connection);
  await Promise.all([
    definitions.ensureIndexes(),
    apps.ensureIndexes(),
    workflows.ensureIndexes(),
    runs.ensureIndexes(),
    artifacts.ensureIndexes(),
    results.ensureIndexes(),
    vectors.ensureIndexes(),
    webhookEndpoints.ensureIndexes(),
    webhookDeliveries.ensureIndexes(),
  ]);
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger('gateway', {
    write: (line) => logs.push(JSON.parse(line) as Record<string, unknown>),
  });
  // Every JSON answer is checked against the OpenAPI document: at each request(), and at close().
  const contract = new ContractRecorder();
  const {
    streams: streamOptions,
    metrics: withMetrics,
    taskRegistry,
    explainWaiting,
    ...limits
  } = options;
  const taskTypes = taskRegistry ? new TaskTypeRegistry(kafka) : undefined;
  await taskTypes?.start();
  const liveStreams = new LiveStreams({
    ...streamOptions,
    revokedAmong: (keyIds) => apps.revokedAmong(keyIds),
    logger,
  });
  const metrics = withMetrics ? new WeftMetrics('gateway', { processMetrics: false }) : undefined;
  const server: Server = createServer(
    createGatewayApp({
      apps,
      workflows,
      runs,
      engine,
      artifacts,
      results,
      vectors,
      webhookEndpoints,
      webhookDeliveries,
      logger,
      observeResponse: contract.observe,
      liveStreams,
      ...(metrics ? { metrics } : {}),
      ...(taskTypes ? { taskTypes } : {}),
      ...(explainWaiting
        ? { waiting: new StepPoolExplainer(kafka, (run) => definitions.get(run.definitionId)) }
        : {}),
      ...limits,
    }),
  );
  answerClientErrors(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { app, apiKey } = await apps.createApp(name);

  return {
    url,
    liveStreams,
    commands,
    ...(metrics ? { metrics } : {}),
    connection,
    kafka,
    ...(taskTypes ? { taskTypes } : {}),
    definitions,
    apps,
    runs,
    engine,
    artifacts,
    results,
    vectors,
    webhookDeliveries,
    appId: app.id,
    apiKey,
    logs,
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { 'x-api-key': apiKey, ...options.headers };
      let body: string | undefined;
      if (options.body !== undefined) {
        body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await fetch(path.startsWith('http') ? path : url + path, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
      });
      const text = await response.text();
      contract.assertNone();
      return {
        status: response.status,
        body: text === '' ? undefined : (JSON.parse(text) as unknown),
        headers: response.headers,
      };
    },
    count: (collection) => connection.collection(collection).countDocuments(),
    async otherApp(otherName = `${name} (other)`) {
      const other = await apps.createApp(otherName);
      return { appId: other.app.id, apiKey: other.apiKey };
    },
    async close() {
      liveStreams.close();
      server.close();
      server.closeAllConnections();
      await once(server, 'close');
      await taskTypes?.stop();
      await producer.disconnect();
      // The namespace's topics only: a namespaced admin sees no others.
      const cleanup = await kafka.admin();
      await cleanup.deleteTopics(await cleanup.listTopics()).catch(() => undefined);
      await cleanup.disconnect();
      await dropDatabase(connection);
      // Answers to requests made without request(), e.g. by fetch.
      contract.assertNone();
    },
  };
}

/** Asserts the `{error: {code, message, details}}` shape and returns the error. */
export function expectApiError(
  response: GatewayResponse,
  status: number,
  code: string,
): ErrorBody['error'] {
  const body = response.body as Partial<ErrorBody> | undefined;
  expect({ status: response.status, code: body?.error?.code }).toEqual({ status, code });
  expect(body).toEqual({
    error: { code, message: expect.any(String) as unknown, details: expect.any(Object) as unknown },
  });
  return (body as ErrorBody).error;
}
