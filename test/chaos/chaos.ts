/**
 * `npx tsx test/chaos/chaos.ts [--minutes N] [--rate R] [--keep]`: faults under steady load, then
 * an accountant. Starts a private Kafka broker and database, the real services as processes, a
 * fake OpenAI and a webhook receiver; drives an open-loop load of mixed workflows while a fault
 * script kills, stops and restarts each part in turn; then checks from the client's own record of
 * every 2xx that nothing was lost or duplicated. See test/chaos/README.md.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { freePort } from '@weft/infra';
import { AppStore, connectDatabase, RUN_WEBHOOK_EVENTS } from '@weft/store';
import { startFakeOpenAi } from '../fakes/openai-server';
import type { RecordedRequest } from '../fakes/fake-http';
import {
  account,
  waitForDeliveries,
  waitUntilTerminal,
  type Account,
  type Execution,
} from './accountant';
import { ChaosInfra } from './chaos-infra';
import { FAULTS, FaultScript, type FaultRecord } from './faults';
import { GatewayClient, Load } from './load-client';
import { ServiceProcesses, sleep, type ServiceSpec } from './service-processes';
import { countStepMessages } from './topic-audit';
import { ChaosReceiver } from './webhook-receiver';
import { cancellable, chain, doomed, fanout, flaky, llm, probe } from './workloads';

interface Options {
  minutes: number;
  rate: number;
  keep: boolean;
  settleSeconds: number;
}

const ROOT = join(__dirname, '..', '..');
const SERVICES = ['gateway', 'orchestrator', 'worker', 'webhooks'] as const;
const STEP_TYPES = 'core/delay,core/transform,core/fail,openai/chat-completion';
const WARM_UP_MS = 10_000;

function parseOptions(argv: string[]): Options {
  const options: Options = { minutes: 3, rate: 5, keep: false, settleSeconds: 180 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = Number(argv[++i]);
      if (!Number.isFinite(next) || next <= 0) throw new Error(`${arg} needs a positive number`);
      return next;
    };
    if (arg === '--minutes') options.minutes = value();
    else if (arg === '--rate') options.rate = value();
    else if (arg === '--settle-seconds') options.settleSeconds = value();
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(
        'usage: npx tsx test/chaos/chaos.ts [--minutes N] [--rate RUNS_PER_S] [--settle-seconds S] [--keep]\n',
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}`);
  }
  return options;
}

const started = Date.now();
function log(line: string): void {
  process.stderr.write(`[chaos +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}\n`);
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  for (const service of SERVICES) {
    if (!existsSync(join(ROOT, 'services', service, 'dist', 'main.js'))) {
      throw new Error(`services/${service}/dist/main.js is missing: run \`npx tsc -b\` first`);
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'weft-chaos-'));
  log(`working in ${dir}`);
  let infra: ChaosInfra | undefined;
  let services: ServiceProcesses | undefined;
  let mongo: MongoClient | undefined;
  let passed = false;
  const closers: (() => Promise<unknown>)[] = [];

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
    void cleanUp().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  async function cleanUp(): Promise<void> {
    await services?.stopAll().catch(() => undefined);
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await mongo?.close().catch(() => undefined);
    await infra?.stop().catch(() => undefined);
  }

  try {
    infra = await ChaosInfra.start(dir, log);
    const fake = await startFakeOpenAi();
    closers.push(() => fake.close());
    const callTimes = timestampRequests(fake.requests);
    const receiver = new ChaosReceiver();
    await receiver.start();
    closers.push(() => receiver.close());

    const gatewayPort = await freePort();
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    services = new ServiceProcesses(join(dir, 'logs'), log);
    const base: Record<string, string> = {
      KAFKA_BROKERS: infra.kafkaBrokers,
      MONGODB_URI: infra.mongoUri('chaos'),
      WEFT_KAFKA_NAMESPACE: '',
      WEFT_STEP_PARTITIONS: '4',
      WEFT_RESULT_PARTITIONS: '4',
      LOG_LEVEL: 'info',
      WEBHOOK_ALLOW_PRIVATE: '1',
      PUBLIC_URL: gatewayUrl,
      OTEL_EXPORTER_OTLP_ENDPOINT: '',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '',
      FAL_KEY: '',
      FAL_BASE_URL: '',
      WEFT_PROVIDERS_FILE: '',
    };
    const specs: ServiceSpec[] = [
      {
        name: 'gateway',
        service: 'gateway',
        healthPort: gatewayPort,
        env: () => ({ ...base, PORT: String(gatewayPort), RATE_LIMIT_PER_MINUTE: '0' }),
      },
      {
        name: 'orchestrator',
        service: 'orchestrator',
        healthPort: await freePort(),
        env: () => ({ ...base }),
      },
      ...[1, 2].map((n): ServiceSpec => ({
        name: `worker-${n}`,
        service: 'worker',
        healthPort: 0,
        env: (incarnation) => ({
          ...base,
          STEP_TYPES,
          // Each attempt's end is logged at debug: the accountant counts executions from it.
          LOG_LEVEL: 'debug',
          WORKER_ID: `worker-${n}-i${incarnation}`,
          WORKER_SESSION_TIMEOUT_MS: '6000',
          WORKER_SHUTDOWN_GRACE_MS: '5000',
          OPENAI_BASE_URL: fake.url,
          // Which process made a provider call, as the fake sees it.
          OPENAI_API_KEY: `chaos-worker-${n}#${incarnation}`,
        }),
      })),
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
    for (const spec of specs) {
      if (spec.healthPort === 0) spec.healthPort = await freePort();
      const env = spec.env;
      spec.env = (incarnation) => ({
        HEALTH_PORT: String(spec.healthPort),
        ...env(incarnation),
      });
      services.add(spec);
    }
    // The gateway first: it makes the topics and indexes the others would race to make.
    services.start('gateway');
    await services.waitReady('gateway');
    for (const name of ['orchestrator', 'worker-1', 'worker-2', 'webhooks']) services.start(name);
    await Promise.all(
      ['orchestrator', 'worker-1', 'worker-2', 'webhooks'].map((name) => services!.waitReady(name)),
    );
    log('services ready');

    const connection = await connectDatabase(infra.mongoUri('chaos'));
    const { apiKey, webhookSecret } = await new AppStore(connection).createApp('chaos');
    await connection.close();
    const client = new GatewayClient(gatewayUrl, apiKey);
    const endpoint = await client.request('POST', '/v1/webhooks', {
      body: { url: `${receiver.url}/endpoint`, events: [...RUN_WEBHOOK_EVENTS] },
    });
    if (endpoint.status !== 201) {
      throw new Error(`could not register the endpoint: ${JSON.stringify(endpoint.json)}`);
    }
    receiver.setSecret('/endpoint', endpoint.json.secret as string);
    receiver.setSecret('/per-run', webhookSecret);
    mongo = await MongoClient.connect(infra.mongoUri('chaos'), { serverSelectionTimeoutMS: 5_000 });
    const db = mongo.db('chaos');

    const load = new Load(client, {
      ratePerSecond: options.rate,
      perRunWebhookUrl: `${receiver.url}/per-run`,
    });
    // Every workflow once before any fault: a plan the gateway refuses is a bug of this program.
    const preflight = [
      chain(0, 100),
      fanout(0),
      llm(0),
      flaky(0),
      doomed(0, true),
      doomed(0, false),
      cancellable(0),
      probe(0),
    ].map((workload) => load.submit(workload));
    await Promise.all(preflight.map((p) => p.done));
    for (const { record } of preflight) {
      if (record.outcome !== 'accepted') {
        throw new Error(
          `preflight: ${record.workload.variant} was ${record.outcome}: ${record.detail}`,
        );
      }
    }

    const durationMs = options.minutes * 60_000;
    const t0 = Date.now();
    log(
      `load: ${options.rate} runs/s for ${options.minutes} min, faults from +${WARM_UP_MS / 1000}s`,
    );
    load.start();
    const faults = new FaultScript(services, infra, load, receiver, t0, log);
    const progress = setInterval(() => void reportProgress(load, db, t0), 15_000);
    const estimatedFaultsMs = FAULTS.length * 15_000;
    const gapMs = Math.min(
      30_000,
      Math.max(3_000, (durationMs - WARM_UP_MS - 10_000 - estimatedFaultsMs) / FAULTS.length),
    );
    await sleep(WARM_UP_MS);
    await Promise.all([faults.run(t0 + durationMs, gapMs), sleep(t0 + durationMs - Date.now())]);
    log('load: stopping; waiting for every submission to be answered');
    await load.stop();
    clearInterval(progress);
    const loadMs = Date.now() - t0;

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
      executions: readExecutions(join(dir, 'logs')),
      publishedCopies: await countStepMessages(infra.kafkaBrokers, STEP_TYPES.split(',')).catch(
        (error: unknown) => {
          log(`could not read the step topics: ${String(error)}`);
          return new Map<string, number>();
        },
      ),
      workerFaults: [
        ...faults.workerFaults,
        // A worker that crashed on its own hands its attempts on just as a killed one does.
        ...services.unplannedExits
          .filter((exit) => exit.name.startsWith('worker-'))
          .map((exit) => ({
            incarnation: `${exit.name}#${exit.incarnation}`,
            signal: 'crash' as const,
            at: exit.at,
            until: exit.at,
          })),
      ],
      received: receiver.received,
    });
    passed = printSummary({
      options,
      loadMs,
      settledMs,
      open,
      result,
      faults: faults.records,
      unplanned: services.unplannedExits.map(
        (exit) =>
          `${exit.name}#${exit.incarnation} at +${((exit.at - t0) / 1000).toFixed(1)}s ${new Date(exit.at).toISOString().slice(11, 19)} (${exit.signal ?? `exit code ${exit.code}`}; see its log)`,
      ),
      submitted: load.submissions.length,
      retried: load.retriedRequests,
      elapsedMs: Date.now() - started,
    });
  } finally {
    log('stopping services and infrastructure');
    await cleanUp();
    if (passed && !options.keep) rmSync(dir, { recursive: true, force: true });
    else log(`logs and data kept in ${dir}`);
  }
  return passed ? 0 : 1;
}

/** Every attempt's end the workers logged (`step succeeded` at debug, `step failed` at info). */
function readExecutions(logDir: string): Execution[] {
  const executions: Execution[] = [];
  for (const file of ['worker-1.log', 'worker-2.log']) {
    const path = join(logDir, file);
    if (!existsSync(path)) continue;
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (!line.includes('"step succeeded"') && !line.includes('"step failed"')) continue;
      try {
        const entry = JSON.parse(line) as Record<string, string | number | undefined>;
        const workerId = String(entry.workerId ?? '');
        executions.push({
          key: `${String(entry.runId)}:${String(entry.nodeId)}:${String(entry.attempt)}`,
          sender: workerId.replace(/^(worker-\d+)-i(\d+)$/, '$1#$2'),
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

async function reportProgress(load: Load, db: ReturnType<MongoClient['db']>, t0: number) {
  const accepted = load.accepted().length;
  let ended = '?';
  try {
    ended = String(
      await db
        .collection('runs')
        .countDocuments(
          { status: { $in: ['completed', 'failed', 'cancelled', 'timed_out'] } },
          { maxTimeMS: 3_000 },
        ),
    );
  } catch {
    // The database is away (a fault): say so.
  }
  const waiting = load.submissions.filter((s) => s.outcome === 'pending').length;
  log(
    `progress +${((Date.now() - t0) / 1000).toFixed(0)}s: submitted ${load.submissions.length}, accepted ${accepted}, awaiting an answer ${waiting}, runs ended ${ended}`,
  );
}

function printSummary(input: {
  options: Options;
  loadMs: number;
  settledMs: number;
  open: number;
  result: Account;
  faults: FaultRecord[];
  unplanned: string[];
  submitted: number;
  retried: number;
  elapsedMs: number;
}): boolean {
  const { result, faults } = input;
  const injected = new Set(faults.filter((f) => f.error === undefined).map((f) => f.name));
  const missing = FAULTS.filter((name) => !injected.has(name));
  const unrecovered = faults.filter(
    (f) => f.error === undefined && (f.recoveredMs === undefined || f.webhookMs === undefined),
  );
  const failedFaults = faults.filter((f) => f.error !== undefined);
  const lines: string[] = [];
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  lines.push('');
  lines.push(
    `== weft chaos: ${s(input.loadMs)} of load at ${input.options.rate} runs/s, ${faults.length} faults; settled in ${s(input.settledMs)}; ${s(input.elapsedMs)} in all ==`,
  );
  lines.push(
    `runs submitted ${input.submitted}, accepted ${result.accepted} (${input.retried} needed retried requests; ${result.notAccepted} never accepted)`,
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
  lines.push(
    `provider requests ${result.providerRequests} (${result.providerRepeatsAfterCrash} repeats of an attempt whose worker was killed or stopped); extra attempts after step timeouts ${result.extraAttemptsAfterTimeouts}`,
  );
  lines.push(
    `attempts the workers ran more than once: ${result.repeatedExecutions} (${result.repeatedExecutionsExplained} explained by a kill, stop or crash of a worker holding them; of the others, ${result.repeatedPublishedTwice} were published twice and ${result.repeatedDeliveredTwice} were one message delivered twice); attempts published more than once: ${result.attemptsPublishedTwice}`,
  );
  for (const sample of result.repeatedExecutionSamples) lines.push(`  re-run: ${sample}`);
  lines.push(
    `webhook requests ${result.webhookRequests} under ${result.webhookIds} webhook-ids; delivery retries ${result.deliveryRetries}`,
  );
  lines.push(
    `unplanned service exits: ${input.unplanned.length === 0 ? 'none' : input.unplanned.join(', ')}`,
  );
  lines.push(
    'faults (at: what; how long it lasted; from its end until a run started afterwards completed, and until its webhook arrived):',
  );
  for (const fault of faults) {
    const outcome = fault.error
      ? `NOT INJECTED: ${fault.error}`
      : `${s(fault.faultMs)}; run completed ${fault.recoveredMs === undefined ? 'NEVER' : `in ${s(fault.recoveredMs)}`}, its webhook ${fault.webhookMs === undefined ? 'NEVER' : `in ${s(fault.webhookMs)}`}${fault.readyMs === undefined ? '' : ` (/readyz 200 in ${s(fault.readyMs)})`}`;
    lines.push(
      `  +${(fault.startedAt / 1000).toFixed(0).padStart(4)}s ${new Date(fault.startedAtMs).toISOString().slice(11, 19)} ${fault.name.padEnd(21)} ${fault.detail}; ${outcome}`,
    );
  }
  if (missing.length > 0) lines.push(`faults never injected: ${missing.join(', ')}`);
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
  const passed =
    result.lost.length === 0 &&
    result.duplicated.length === 0 &&
    result.wrong.length === 0 &&
    result.undelivered.length === 0 &&
    input.open === 0 &&
    missing.length === 0 &&
    failedFaults.length === 0 &&
    unrecovered.length === 0;
  lines.push(passed ? 'PASS' : 'FAIL');
  process.stdout.write(`${lines.join('\n')}\n`);
  return passed;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(2);
  },
);
