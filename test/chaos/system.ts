import { RUN_WEBHOOK_EVENTS } from '@weft/contract';
/**
 * The whole system under test, as the chaos and soak programs run it: a private broker and
 * database, the real services as processes, a fake OpenAI and a webhook receiver, an app with a
 * registered endpoint; and what both programs do with it afterwards (settle, account, summarise).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient, type Db } from 'mongodb';
import { freePort } from '@weft/infra';
import { AppStore, connectDatabase } from '@weft/store';
import { startFakeOpenAi, type FakeOpenAi } from '../fakes/openai-server';
import type { RecordedRequest } from '../fakes/fake-http';
import {
  account,
  waitForDeliveries,
  waitUntilTerminal,
  type Account,
  type Execution,
  type WorkerFault,
} from './accountant';
import { ChaosInfra } from './chaos-infra';
import {
  assertNoDatabaseVariables,
  CUSTOM_WORKER_SCRIPT,
  CUSTOM_WORKERS,
  customWorkerSpec,
} from './custom-workers';
import { PARTITIONED_WORKER } from './faults';
import { GatewayClient, type Load } from './load-client';
import { setTimeout as sleep } from 'node:timers/promises';
import { ServiceProcesses, type ServiceSpec } from './service-processes';
import { countStepMessages } from './topic-audit';
import { ChaosReceiver } from './webhook-receiver';
import {
  cancellable,
  chain,
  custom,
  CUSTOM_STEP_TYPES,
  customProbe,
  doomed,
  fanout,
  flaky,
  llm,
  probe,
} from './workloads';

const ROOT = join(__dirname, '..', '..');
const BUILT_SERVICES = ['gateway', 'orchestrator', 'worker', 'webhooks'] as const;

/** The step types the two workers of Weft's worker service serve. */
export const STEP_TYPES = [
  'core/delay',
  'core/transform',
  'core/fail',
  'openai/chat-completion',
] as const;

/** The processes of Weft's worker service. */
export const SERVICE_WORKERS = ['worker-1', 'worker-2'] as const;
/** Every process that runs steps, whose logs say which attempts it ran. */
export const WORKER_NAMES: readonly string[] = [...SERVICE_WORKERS, ...CUSTOM_WORKERS];

/** Every service process by name, in the order they are started. */
export const SERVICE_NAMES = [
  'gateway',
  'orchestrator',
  ...SERVICE_WORKERS,
  ...CUSTOM_WORKERS,
  'webhooks',
];

/** The database and app name; the load's Idempotency-Keys and the workers' API keys say so too. */
const DATABASE = 'chaos';

/** Everything running once `startSystem` returned. */
export interface RunningSystem {
  infra: ChaosInfra;
  services: ServiceProcesses;
  fake: FakeOpenAi;
  /** When the fake received each request: its records carry no time of their own. */
  callTimes: Map<RecordedRequest, number>;
  receiver: ChaosReceiver;
  /** The gateway, as the app created at start sees it. */
  client: GatewayClient;
  db: Db;
  gatewayUrl: string;
  stepTypes: readonly string[];
  /** Stops services, fakes and infrastructure (and says so); once, however often it is called. */
  close(): Promise<void>;
}

/** Throws with what to do when a service has not been built: they run from `services/*\/dist`. */
export function assertServicesBuilt(): void {
  for (const service of BUILT_SERVICES) {
    if (!existsSync(join(ROOT, 'services', service, 'dist', 'main.js'))) {
      throw new Error(`services/${service}/dist/main.js is missing: run \`npx tsc -b\` first`);
    }
  }
  if (!existsSync(CUSTOM_WORKER_SCRIPT)) {
    throw new Error('examples/custom-worker/dist/worker.js is missing: run `npx tsc -b` first');
  }
}

/**
 * Starts the system in `dir` (data and `logs/`) and waits until every service is ready. From the
 * first call on, this program's children die with it, and SIGINT or SIGTERM close the system and
 * exit 130 (a second signal exits at once). If starting fails, what had started is closed before
 * the error is thrown.
 */
export async function startSystem(
  dir: string,
  log: (line: string) => void,
  options: { brokers?: number } = {},
): Promise<RunningSystem> {
  let infra: ChaosInfra | undefined;
  let services: ServiceProcesses | undefined;
  let mongo: MongoClient | undefined;
  const closers: (() => Promise<unknown>)[] = [];
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      log('stopping services and infrastructure');
      await services?.stopAll().catch(() => undefined);
      for (const closeOne of closers.reverse()) await closeOne().catch(() => undefined);
      await mongo?.close().catch(() => undefined);
      await infra?.stop().catch(() => undefined);
    })();
    return closing;
  };

  // This program's children must not outlive it, however it ends.
  process.once('exit', () => {
    for (const pid of [...(services?.pids() ?? []), ...(infra?.pids() ?? [])]) {
      try {
        process.kill(pid, 'SIGCONT');
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  });
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log('interrupted: stopping everything (again to exit at once)');
    void close().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    infra = await ChaosInfra.start(dir, log, options.brokers ?? 1);
    const fake = await startFakeOpenAi();
    closers.push(() => fake.close());
    const callTimes = timestampRequests(fake.requests);
    const receiver = new ChaosReceiver();
    await receiver.start();
    closers.push(() => receiver.close());

    const gatewayPort = await freePort();
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    const processes = new ServiceProcesses(join(dir, 'logs'), log);
    services = processes;
    for (const spec of serviceSpecs(infra, gatewayPort, fake.url)) {
      if (spec.healthPort === 0) spec.healthPort = await freePort();
      const env = spec.env;
      spec.env = (incarnation) => ({
        HEALTH_PORT: String(spec.healthPort),
        ...env(incarnation),
      });
      processes.add(spec);
    }
    // The gateway first: it makes the topics and indexes the others would race to make.
    processes.start('gateway');
    await processes.waitReady('gateway');
    const rest = SERVICE_NAMES.filter((name) => name !== 'gateway');
    for (const name of rest) processes.start(name);
    await Promise.all(rest.map((name) => processes.waitReady(name)));
    log('services ready');
    for (const name of CUSTOM_WORKERS) assertNoDatabaseVariables(name, processes.pid(name));

    const connection = await connectDatabase(infra.mongoUri(DATABASE));
    const { apiKey, webhookSecret } = await new AppStore(connection).createApp(DATABASE);
    await connection.close();
    const client = new GatewayClient(gatewayUrl, apiKey);
    await waitForTaskTypes(client, CUSTOM_STEP_TYPES);
    log(`the gateway knows ${CUSTOM_STEP_TYPES.join(' and ')}`);
    const endpoint = await client.request('POST', '/v1/webhooks', {
      body: { url: `${receiver.url}/endpoint`, events: [...RUN_WEBHOOK_EVENTS] },
    });
    if (endpoint.status !== 201) {
      throw new Error(`could not register the endpoint: ${JSON.stringify(endpoint.json)}`);
    }
    receiver.setSecret('/endpoint', endpoint.json.secret as string);
    receiver.setSecret('/per-run', webhookSecret);
    mongo = await MongoClient.connect(infra.mongoUri(DATABASE), {
      serverSelectionTimeoutMS: 5_000,
    });
    return {
      infra,
      services: processes,
      fake,
      callTimes,
      receiver,
      client,
      db: mongo.db(DATABASE),
      gatewayUrl,
      stepTypes: [...STEP_TYPES, ...CUSTOM_STEP_TYPES],
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Waits (up to 60 s) until the gateway lists `names` among its task types: the acme workers
 * registered them as they started, and the gateway follows the registry a moment behind. Until
 * then a workflow naming one is refused (422 `unknown_task`).
 */
async function waitForTaskTypes(client: GatewayClient, names: readonly string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  let known: string[] = [];
  while (Date.now() < deadline) {
    const answer = await client.request('GET', '/v1/task-types', { deadlineMs: 10_000 });
    known = ((answer.json.taskTypes ?? []) as { name?: string }[]).map((type) => type.name ?? '');
    if (names.every((name) => known.includes(name))) return;
    await sleep(200);
  }
  throw new Error(
    `the gateway never listed ${names.filter((name) => !known.includes(name)).join(', ')} (see the acme workers' logs)`,
  );
}

/**
 * One gateway (rate limit off), one orchestrator, two workers (Kafka session timeout 6 s, every
 * attempt's end logged; the second reaches the brokers through the proxies that can cut it off),
 * two acme workers (the example worker on the SDK: Kafka only, a 4 s lease, every attempt's end
 * logged), one webhooks service with short retries. `healthPort` 0: pick one.
 */
function serviceSpecs(infra: ChaosInfra, gatewayPort: number, openAiUrl: string): ServiceSpec[] {
  const base: Record<string, string> = {
    KAFKA_BROKERS: infra.kafkaBrokers,
    MONGODB_URI: infra.mongoUri(DATABASE),
    WEFT_KAFKA_NAMESPACE: '',
    WEFT_STEP_PARTITIONS: '4',
    WEFT_RESULT_PARTITIONS: '4',
    LOG_LEVEL: 'info',
    WEBHOOK_ALLOW_PRIVATE: '1',
    PUBLIC_URL: `http://127.0.0.1:${gatewayPort}`,
    OTEL_EXPORTER_OTLP_ENDPOINT: '',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '',
    FAL_KEY: '',
    FAL_BASE_URL: '',
    WEFT_PROVIDERS_FILE: '',
  };
  return [
    {
      name: 'gateway',
      service: 'gateway',
      healthPort: gatewayPort,
      env: () => ({ ...base, PORT: String(gatewayPort), RATE_LIMIT_PER_MINUTE: '0' }),
    },
    {
      name: 'orchestrator',
      service: 'orchestrator',
      healthPort: 0,
      env: () => ({ ...base }),
    },
    ...[1, 2].map((n): ServiceSpec => ({
      name: `worker-${n}`,
      service: 'worker',
      healthPort: 0,
      env: (incarnation) => ({
        ...base,
        ...(`worker-${n}` === PARTITIONED_WORKER
          ? { KAFKA_BROKERS: infra.proxiedKafkaBrokers }
          : {}),
        STEP_TYPES: STEP_TYPES.join(','),
        // Each attempt's end is logged at debug: the accountant counts executions from it.
        LOG_LEVEL: 'debug',
        WORKER_ID: `worker-${n}-i${incarnation}`,
        WORKER_SESSION_TIMEOUT_MS: '6000',
        WORKER_SHUTDOWN_GRACE_MS: '5000',
        OPENAI_BASE_URL: openAiUrl,
        // Which process made a provider call, as the fake sees it.
        OPENAI_API_KEY: `chaos-worker-${n}#${incarnation}`,
      }),
    })),
    ...CUSTOM_WORKERS.map((name): ServiceSpec =>
      customWorkerSpec(name, {
        KAFKA_BROKERS: infra.kafkaBrokers,
        WEFT_KAFKA_NAMESPACE: base.WEFT_KAFKA_NAMESPACE ?? '',
        WEFT_STEP_PARTITIONS: base.WEFT_STEP_PARTITIONS ?? '',
        WEFT_RESULT_PARTITIONS: base.WEFT_RESULT_PARTITIONS ?? '',
      }),
    ),
    {
      name: 'webhooks',
      service: 'webhooks',
      healthPort: 0,
      env: () => ({
        ...base,
        WEBHOOK_RETRY_SCHEDULE_MS: '200,500,1000,2000,4000,8000,8000',
        WEBHOOK_TIMEOUT_MS: '3000',
        WEBHOOK_LEASE_MS: '5000',
        WEBHOOK_POLL_INTERVAL_MS: '200',
      }),
    },
  ];
}

/**
 * Submits every workflow once and waits for the answers: a plan the gateway refuses is a bug of
 * the program driving the load, better found before the load starts than by the accountant.
 */
export async function preflight(load: Load): Promise<void> {
  const submitted = [
    chain(0, 100),
    fanout(0),
    llm(0),
    flaky(0),
    doomed(0, true),
    doomed(0, false),
    cancellable(0),
    custom(0, 0.3),
    custom(0, 0.3, true),
    probe(0),
    customProbe(0),
  ].map((workload) => load.submit(workload));
  await Promise.all(submitted.map((p) => p.done));
  for (const { record } of submitted) {
    if (record.outcome !== 'accepted') {
      throw new Error(
        `preflight: ${record.workload.variant} was ${record.outcome}: ${record.detail}`,
      );
    }
  }
}

/** What settling and the accountant found. */
export interface Settled {
  /** Accepted runs still not ended when settling gave up. */
  open: number;
  settledMs: number;
  result: Account;
}

/**
 * After the load stopped: waits (bounded) until every accepted run has ended and no webhook
 * delivery is pending, then runs the accountant. `workerFaults` are the kills and stops this
 * program caused; the workers' unplanned exits are added here, since a worker that crashed hands
 * its attempts on just as a killed one does.
 */
export async function settleAndAccount(
  system: RunningSystem,
  load: Load,
  options: { settleSeconds: number; workerFaults: WorkerFault[] },
  log: (line: string) => void,
): Promise<Settled> {
  const { db, fake, callTimes, infra, services, receiver } = system;
  const acceptedIds = load.accepted().map((s) => s.runId as string);
  log(`settling: ${acceptedIds.length} accepted runs (up to ${options.settleSeconds} s)`);
  const settleStarted = Date.now();
  const open = await waitUntilTerminal(db, acceptedIds, options.settleSeconds * 1000, log);
  const settledMs = Date.now() - settleStarted;
  await waitForDeliveries(db, acceptedIds, 60_000, log);
  // A delivery marked delivered was answered before it was recorded: nothing more to come.
  await sleep(1_000);

  const providerCalls: Execution[] = fake.requests.map((request) => ({
    key: String(request.headers['idempotency-key'] ?? ''),
    sender: String(request.headers.authorization ?? '').replace(/^Bearer chaos-/, ''),
    at: callTimes.get(request) ?? 0,
  }));
  const result = await account({
    submissions: load.submissions,
    db,
    providerCalls,
    executions: readExecutions(join(infra.dir, 'logs')),
    publishedCopies: await countStepMessages(infra.kafkaBrokers, system.stepTypes).catch(
      (error: unknown) => {
        log(`could not read the step topics: ${String(error)}`);
        return new Map<string, number>();
      },
    ),
    workerFaults: [
      ...options.workerFaults,
      ...services.unplannedExits
        .filter((exit) => WORKER_NAMES.includes(exit.name))
        .map((exit) => ({
          incarnation: `${exit.name}#${exit.incarnation}`,
          signal: 'crash' as const,
          at: exit.at,
          until: exit.at,
        })),
    ],
    received: receiver.received,
  });
  return { open, settledMs, result };
}

/** Whether the accountant's findings allow a pass: nothing lost, twice, wrong or undelivered. */
export function accountClean(settled: Settled): boolean {
  const { result, open } = settled;
  return (
    result.lost.length === 0 &&
    result.duplicated.length === 0 &&
    result.wrong.length === 0 &&
    result.undelivered.length === 0 &&
    open === 0
  );
}

/** The summary's lines about runs, attempts and webhooks, from "runs submitted" on. */
export function accountLines(result: Account, submitted: number, retried: number): string[] {
  const lines: string[] = [];
  lines.push(
    `runs submitted ${submitted}, accepted ${result.accepted} (${retried} needed retried requests; ${result.notAccepted} never accepted)`,
  );
  lines.push(`  completed            ${result.completed}`);
  lines.push(`  failed as expected   ${result.failedAsExpected}`);
  lines.push(
    `  cancelled            ${result.cancelled} (+${result.completedBeforeCancel} completed before their cancel)`,
  );
  lines.push(`  recovery probes      ${result.probes}`);
  lines.push(`lost                   ${result.lost.length}`);
  lines.push(`duplicated             ${result.duplicated.length}`);
  lines.push(`wrong outcome          ${result.wrong.length}`);
  lines.push(`undelivered webhooks   ${result.undelivered.length}`);
  lines.push(`step attempts run     ${result.attemptsRun}`);
  lines.push(
    `provider requests ${result.providerRequests} (${result.providerRepeatsAfterCrash} repeats of an attempt whose worker was killed or stopped); extra attempts after step timeouts ${result.extraAttemptsAfterTimeouts}; attempts given up with their worker (worker_lost) ${result.attemptsLostWithWorker} (${result.attemptsLostWithCustomWorker} of them acme's)`,
  );
  lines.push(
    `attempts the workers ran more than once: ${result.repeatedExecutions} (${result.repeatedExecutionsExplained} explained by a kill, stop or crash of a worker holding them; of the others, ${result.repeatedPublishedTwice} were published twice and ${result.repeatedDeliveredTwice} were one message delivered twice); attempts published more than once: ${result.attemptsPublishedTwice}`,
  );
  for (const sample of result.repeatedExecutionSamples) lines.push(`  re-run: ${sample}`);
  lines.push(
    `webhook requests ${result.webhookRequests} under ${result.webhookIds} webhook-ids; delivery retries ${result.deliveryRetries}`,
  );
  return lines;
}

/** Each finding (the first 25 of each kind) and each note, one a line. */
export function findingLines(result: Account): string[] {
  const lines: string[] = [];
  for (const [label, findings] of [
    ['LOST', result.lost],
    ['DUPLICATED', result.duplicated],
    ['WRONG', result.wrong],
    ['UNDELIVERED', result.undelivered],
  ] as const) {
    for (const finding of findings.slice(0, 25)) {
      lines.push(`${label}: ${finding.runId ?? ''} ${finding.what}`);
    }
    if (findings.length > 25) lines.push(`${label}: … ${findings.length - 25} more`);
  }
  for (const note of result.notes) lines.push(`note: ${note}`);
  return lines;
}

/** The unplanned exits, as `worker-1#1 at +12.3s 20:50:05 (SIGSEGV; see its log)`. */
export function unplannedExitLines(services: ServiceProcesses, t0: number): string[] {
  return services.unplannedExits.map(
    (exit) =>
      `${exit.name}#${exit.incarnation} at +${((exit.at - t0) / 1000).toFixed(1)}s ${new Date(exit.at).toISOString().slice(11, 19)} (${exit.signal ?? `exit code ${exit.code}`}; see its log)`,
  );
}

/**
 * One progress line: what was submitted, accepted and has ended so far. Ends are counted from the
 * webhooks received (every run's end is announced to the registered endpoint), not by a query: a
 * count over every run is a scan on mongo-java-server, which runs it on a network thread and holds
 * the services' connections on that thread meanwhile.
 */
export function reportProgress(
  load: Load,
  receiver: ChaosReceiver,
  t0: number,
  log: (line: string) => void,
): void {
  const accepted = load.accepted().length;
  const ended = new Set(receiver.received.map((webhook) => webhook.runId)).size;
  const waiting = load.submissions.filter((s) => s.outcome === 'pending').length;
  log(
    `progress +${((Date.now() - t0) / 1000).toFixed(0)}s: submitted ${load.submissions.length}, accepted ${accepted}, awaiting an answer ${waiting}, runs ended (webhook received) ${ended}`,
  );
}

/**
 * Every attempt's end the workers logged (`step succeeded` at debug, `step failed` at info): the
 * worker service's and the acme workers', whose SDK logs the same lines.
 */
function readExecutions(logDir: string): Execution[] {
  const executions: Execution[] = [];
  for (const name of WORKER_NAMES) {
    const path = join(logDir, `${name}.log`);
    if (!existsSync(path)) continue;
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (!line.includes('"step succeeded"') && !line.includes('"step failed"')) continue;
      try {
        const entry = JSON.parse(line) as Record<string, string | number | undefined>;
        const workerId = String(entry.workerId ?? '');
        executions.push({
          key: `${String(entry.runId)}:${String(entry.nodeId)}:${String(entry.attempt)}`,
          sender: workerId.replace(/^(.+)-i(\d+)$/, '$1#$2'),
          at: Date.parse(String(entry.time)),
        });
      } catch {
        // A line cut short by a SIGKILL.
      }
    }
  }
  return executions;
}

/** When the fake received each request: its record has no time of its own. */
function timestampRequests(requests: RecordedRequest[]): Map<RecordedRequest, number> {
  const times = new Map<RecordedRequest, number>();
  const push = requests.push.bind(requests);
  Object.defineProperty(requests, 'push', {
    value: (...items: RecordedRequest[]) => {
      for (const item of items) times.set(item, Date.now());
      return push(...items);
    },
  });
  return times;
}
