import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import { checkDefinition, isTerminalRunStatus, type Region } from '@weft/core';
import { waitFor } from '@weft/infra';
import {
  createKafkaClient,
  kafkaClientConfig,
  kafkaImplementationFromEnv,
  type KafkaClient,
  type KafkaProducer,
} from '@weft/kafka';
import { readBaseConfig } from '@weft/config';
import { createLogger } from '@weft/observability';
import { CORE_STEP_HANDLERS } from '@weft/steps';
import type { StepHandler } from '@weft/worker';
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
  type StoredRun,
} from '@weft/store';
import { createGatewayApp, StepPoolExplainer } from '@weft/gateway';
import { TaskTypeRegistry } from '@weft/task-registry';
import { readOrchestratorConfig, startOrchestrator, type Orchestrator } from '@weft/orchestrator';
import {
  readWebhooksConfig,
  startWebhooks,
  type DispatcherConfig,
  type WebhookDispatcher,
} from '@weft/webhooks-service';
import { readWorkerConfig, startWorker } from '@weft/worker-service';
import type { WorkerRuntime as Worker } from '@weft/worker';
import { ContractRecorder } from './openapi-validator';
import { dropDatabase, requiredEnv, uniqueName } from './test-infrastructure';

const ROOT = join(__dirname, '..', '..');
/** Every test file's engine creates its topics: few partitions keep the one broker light. */
export const TEST_PARTITIONS = { steps: 2, results: 2 };
const quiet = createLogger('test', { level: (process.env.TEST_LOG_LEVEL as 'debug') ?? 'error' });

/** The stores of step outputs (artifacts, result collections, vector indexes) and of webhooks. */
export interface DataStores {
  artifacts: GridFsArtifactStore;
  results: ResultStore;
  vectors: VectorStore;
  webhookEndpoints: WebhookEndpointStore;
  webhookDeliveries: WebhookDeliveryStore;
}

/**
 * One test file's engine on the real broker and database: its own Kafka namespace (topics and
 * groups) and its own database, with orchestrators and workers started in-process or as real
 * processes. Handlers count their executions per attempt, so tests can assert "exactly once".
 */
export class TestEngine {
  readonly namespace = uniqueName('t');
  readonly dbName = this.namespace.replaceAll('-', '_');
  readonly kafka: KafkaClient;
  /** How many times each `runId:nodeId:attempt` ran in an in-process worker. */
  readonly executions = new Map<string, number>();
  runs!: RunStore;
  /** The engine the in-process services share, as the orchestrator starts it. */
  runEngine!: RunEngine;
  connection!: Connection;
  private producer!: KafkaProducer;
  private stops: (() => Promise<void>)[] = [];
  private children = new Set<ChildProcess>();
  /** Checks every JSON answer of the engine's gateways against the OpenAPI document. */
  private contract?: ContractRecorder;

  /** The variables that say where Kafka is and how to reach it, for the engine and its services. */
  private readonly kafkaEnv: Record<string, string>;

  /**
   * `kafkaEnv`: another broker than the suite's, as an operator would name it (`KAFKA_BROKERS`,
   * `KAFKA_SSL`, `KAFKA_SASL_MECHANISM`…), read by the engine's client as a service reads it.
   */
  constructor(options: { kafkaEnv?: Record<string, string> } = {}) {
    this.kafkaEnv = { KAFKA_BROKERS: requiredEnv('KAFKA_BROKERS'), ...options.kafkaEnv };
    this.kafka = createKafkaClient({
      ...kafkaClientConfig(readBaseConfig(this.serviceEnv())),
      clientId: this.namespace,
      logLevel: 'nothing',
      implementation: kafkaImplementationFromEnv(process.env),
    });
  }

  /** The environment a service of this engine reads its configuration from. */
  serviceEnv(): Record<string, string> {
    return {
      ...this.kafkaEnv,
      MONGODB_URI: this.mongoUri,
      WEFT_KAFKA_NAMESPACE: this.namespace,
      WEFT_STEP_PARTITIONS: String(TEST_PARTITIONS.steps),
      WEFT_RESULT_PARTITIONS: String(TEST_PARTITIONS.results),
    };
  }

  /** What an in-process service shares with this engine rather than opening its own. */
  private get shared() {
    return { kafka: this.kafka, connection: this.connection, log: quiet };
  }

  /** MONGODB_URI pointing at this engine's own database. */
  get mongoUri(): string {
    const url = new URL(requiredEnv('MONGODB_URI'));
    url.pathname = `/${this.dbName}`;
    return url.toString();
  }

  async open(): Promise<this> {
    this.connection = await connectDatabase(this.mongoUri);
    this.producer = await this.kafka.producer();
    this.runs = new RunStore(this.connection);
    this.runEngine = new RunEngine(
      this.runs,
      new DefinitionStore(this.connection),
      new OutboxPublisher(this.connection, this.producer),
    );
    await this.runs.ensureIndexes();
    return this;
  }

  /** Handlers that count executions, then behave as `handlers` (default: the core steps) do. */
  countingHandlers(
    handlers: Readonly<Record<string, StepHandler>> = CORE_STEP_HANDLERS,
  ): Record<string, StepHandler> {
    return Object.fromEntries(
      Object.entries(handlers).map(([task, handler]) => [
        task,
        async (inputs, context) => {
          this.executions.set(
            context.idempotencyKey,
            (this.executions.get(context.idempotencyKey) ?? 0) + 1,
          );
          return handler(inputs, context);
        },
      ]),
    );
  }

  /** How many times `nodeId` of `runId` ran, over all its attempts. */
  executionsOf(runId: string, nodeId: string): number {
    let total = 0;
    for (const [key, count] of this.executions)
      if (key.startsWith(`${runId}:${nodeId}:`)) total += count;
    return total;
  }

  async startOrchestrator(): Promise<Orchestrator> {
    const config = {
      ...readOrchestratorConfig(this.serviceEnv()),
      timerIntervalMs: 100,
      sweepIntervalMs: 500,
      sweepAfterMs: 2_000,
    };
    const running = await startOrchestrator(config, {
      ...this.shared,
      runs: { store: this.runs, engine: this.runEngine },
    });
    this.stops.push(() => running.stop());
    return running.orchestrator;
  }

  async startWorker(
    options: {
      region?: Region;
      concurrency?: number;
      stepTypes?: string[];
      handlers?: Readonly<Record<string, StepHandler>>;
      leaseMs?: number;
    } = {},
  ): Promise<Worker> {
    const handlers = options.handlers ?? CORE_STEP_HANDLERS;
    const config = {
      ...readWorkerConfig([], this.serviceEnv()),
      stepTypes: options.stepTypes ?? Object.keys(handlers),
      region: options.region ?? 'global',
      concurrency: options.concurrency ?? 64,
      workerId: uniqueName('worker'),
      sessionTimeoutMs: 10_000,
      shutdownGraceMs: 2_000,
      commitIntervalMs: 100,
      ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
    };
    const running = await startWorker(config, {
      ...this.shared,
      handlers: this.countingHandlers(handlers),
    });
    this.stops.push(() => running.stop());
    return running.worker;
  }

  /**
   * The HTTP API over this engine's database and topics, on a free port, with an app of its own.
   * Runs it starts are published by the engine's own outbox. `rateLimitPerMinute`: per API key
   * (0: off); default the gateway's (600). `taskRegistry`: follow the registered task types, as a
   * started gateway does (default: the built-in ones only).
   */
  async startGateway(
    options: { rateLimitPerMinute?: number; adminToken?: string; taskRegistry?: boolean } = {},
  ): Promise<{
    url: string;
    appId: string;
    apiKey: string;
    webhookSecret: string;
    stores: DataStores;
  }> {
    const apps = new AppStore(this.connection);
    const definitions = new DefinitionStore(this.connection);
    const workflows = new WorkflowStore(this.connection, definitions);
    const stores = await this.dataStores();
    await Promise.all([apps.ensureIndexes(), workflows.ensureIndexes()]);
    this.contract ??= new ContractRecorder();
    const taskTypes = options.taskRegistry ? new TaskTypeRegistry(this.kafka) : undefined;
    if (taskTypes) {
      this.stops.push(() => taskTypes.stop());
      await taskTypes.start();
    }
    const server = createGatewayApp({
      apps,
      workflows,
      runs: this.runs,
      engine: this.runEngine,
      ...stores,
      allowPrivateWebhooks: true,
      waiting: new StepPoolExplainer(this.kafka, (run) => definitions.get(run.definitionId)),
      logger: quiet,
      observeResponse: this.contract.observe,
      ...(taskTypes ? { taskTypes } : {}),
      ...(options.rateLimitPerMinute === undefined
        ? {}
        : { rateLimitPerMinute: options.rateLimitPerMinute }),
      ...(options.adminToken === undefined ? {} : { adminToken: options.adminToken }),
    }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    this.stops.push(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    const { app, apiKey, webhookSecret } = await apps.createApp(this.namespace);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { url, appId: app.id, apiKey, webhookSecret, stores };
  }

  /**
   * The webhook dispatcher in-process, on this engine's stores, with a fast retry schedule;
   * private receivers allowed unless `allowPrivate` says otherwise.
   */
  async startWebhooks(
    options: Partial<DispatcherConfig> & { publicUrl: string },
  ): Promise<WebhookDispatcher> {
    await this.dataStores();
    const config = {
      ...readWebhooksConfig(this.serviceEnv()),
      retryScheduleMs: [200, 200, 200],
      timeoutMs: 2_000,
      concurrency: 8,
      leaseMs: 5_000,
      pollIntervalMs: 50,
      allowPrivate: true,
      ...options,
    };
    const running = await startWebhooks(config, { ...this.shared, runs: this.runs });
    this.stops.push(() => running.stop());
    return running.dispatcher;
  }

  /** The stores steps and webhooks write to and the gateway reads from, on this engine's database. */
  async dataStores(): Promise<DataStores> {
    const stores = {
      artifacts: new GridFsArtifactStore(this.connection),
      results: new ResultStore(this.connection),
      vectors: new VectorStore(this.connection),
      webhookEndpoints: new WebhookEndpointStore(this.connection),
      webhookDeliveries: new WebhookDeliveryStore(this.connection),
    };
    await Promise.all(Object.values(stores).map((store) => store.ensureIndexes()));
    return stores;
  }

  /** Starts a built service (`services/<name>/dist/main.js`) as its own process. */
  spawnService(
    name: 'worker' | 'orchestrator' | 'webhooks',
    env: Record<string, string> = {},
  ): ChildProcess {
    const child = spawn(process.execPath, [join(ROOT, 'services', name, 'dist', 'main.js')], {
      env: { ...process.env, ...this.serviceEnv(), LOG_LEVEL: 'warn', HEALTH_PORT: '0', ...env },
      stdio: ['ignore', 'ignore', process.env.TEST_LOG_LEVEL ? 'inherit' : 'ignore'],
    });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  /** Starts a run of a definition (either form), as the gateway does after validating it. */
  async startRun(raw: unknown, input: Record<string, unknown> = {}): Promise<StoredRun> {
    const { definition, diagnostics } = checkDefinition(raw);
    if (!definition) throw new Error(`invalid definition: ${JSON.stringify(diagnostics.errors)}`);
    const { run } = await this.runEngine.create({
      appId: 'app_test',
      definition,
      workflow: { ephemeral: true, name: definition.name },
      input,
    });
    return run;
  }

  /** Waits until the run satisfies `until` (default: it ended) and returns it. */
  async waitForRun(
    runId: string,
    until: (run: StoredRun) => boolean = (run) => isTerminalRunStatus(run.status),
    timeoutMs = 60_000,
  ): Promise<StoredRun> {
    return waitFor(
      `run ${runId}`,
      async () => {
        const run = await this.runs.getById(runId);
        return run && until(run) ? run : undefined;
      },
      { timeoutMs, intervalMs: 50 },
    );
  }

  /** Waits until every run in `runIds` ended, polling them together, and returns them. */
  async waitForRuns(runIds: string[], timeoutMs = 120_000): Promise<StoredRun[]> {
    const terminal = ['completed', 'failed', 'cancelled', 'timed_out'];
    const runs = this.connection.collection('runs');
    await waitFor(
      `${runIds.length} runs to end`,
      async () => {
        const ended = await runs.countDocuments({
          _id: { $in: runIds as never[] },
          status: { $in: terminal },
        });
        return ended === runIds.length ? true : undefined;
      },
      { timeoutMs, intervalMs: 250 },
    );
    return Promise.all(runIds.map(async (id) => (await this.runs.getById(id)) as StoredRun));
  }

  /** Publishes raw bytes to a logical topic of this engine (for injecting duplicates and poison). */
  async publish(topic: string, key: string, value: string): Promise<void> {
    await this.producer.send(topic, [{ key, value }]);
  }

  async close(): Promise<void> {
    for (const child of this.children) child.kill('SIGKILL');
    for (const stop of this.stops.reverse()) await stop().catch(() => undefined);
    await this.producer?.disconnect();
    // Every engine creates its own topics: left behind, they would pile up on the one broker.
    const admin = await this.kafka.admin();
    await admin
      .listTopics()
      .then((topics) => (topics.length > 0 ? admin.deleteTopics(topics) : undefined))
      .catch(() => undefined);
    await admin.disconnect();
    if (this.connection) await dropDatabase(this.connection);
    // Last, so everything is cleaned up even when an answer broke the OpenAPI contract.
    this.contract?.assertNone();
  }
}
