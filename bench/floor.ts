// The floor under Weft: the least a Kafka + MongoDB step engine must do per step, measured on the
// same broker and database, with the same client and settings as the services: `@weft/kafka`'s
// createKafkaClient (its default unless WEFT_KAFKA_CLIENT names another, as for the services) and
// mongoose's driver through `@weft/store`. Per step: produce to a steps topic → a worker consumes
// it, runs the body and produces a result → an orchestrator consumes it, writes it to the run in
// one single-document update and produces what became ready. No envelopes, validation, outbox,
// retries or idempotency: what Weft adds on top is its overhead, reported as a ratio to this.
//
// Run: npx tsx bench/floor.ts [--quick]
import { randomBytes } from 'node:crypto';
import type { Collection } from 'mongodb';
import {
  createKafkaClient,
  ensureTopics,
  kafkaImplementationFromEnv,
  type KafkaClient,
} from '@weft/kafka';
import { connectDatabase } from '@weft/store';
import type { SystemResult, Workload } from './report-shape';
import { formatResult, measureSystem, type LoadTarget, type RunRecord } from './open-loop';
import {
  once,
  reportReady,
  roleArgument,
  runMain,
  startRole,
  stopOnSignal,
  stopProcess,
} from './processes';
import { saveResult } from './save-result';

const STEPS_TOPIC = 'steps';
const RESULTS_TOPIC = 'results';
/** As bench/run.ts gives Weft (WEFT_STEP_PARTITIONS, WEFT_RESULT_PARTITIONS). */
const PARTITIONS = 8;
/** Results handled at once, as the orchestrator's default ORCHESTRATOR_CONCURRENCY. */
const ORCHESTRATOR_CONCURRENCY = 8;

/** One step to execute, and after execution its result. */
interface StepMessage {
  runId: string;
  /** `s<i>` along a chain; `start`, `w<i>`, `end` in a fan. */
  node: string;
  shape: Workload['shape'];
  size: number;
  ms: number;
  startedAt?: number;
  finishedAt?: number;
}

interface FloorRun {
  _id: string;
  createdAt: number;
  finishedAt?: number;
  /** Fan-outs: how many of the parallel steps have finished. */
  fanDone?: number;
  nodes?: Record<string, { startedAt: number; finishedAt: number }>;
}

export interface FloorOptions {
  quick: boolean;
  /** Default: every workload of report-shape.ts. */
  workloads?: readonly Workload[];
  /** Default: KAFKA_BROKERS, else 127.0.0.1:9092. */
  brokers?: string[];
  /** Default: MONGODB_URI, else mongodb://127.0.0.1:27017. The database is the floor's own. */
  mongoUri?: string;
}

/**
 * Measures the floor on every workload, in topics and a database of its own that are removed at
 * the end.
 */
export async function runFloor(options: FloorOptions): Promise<SystemResult> {
  const brokers = options.brokers ?? (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const namespace = `floor-${randomBytes(3).toString('hex')}`;
  const dbName = namespace.replace('-', '_');
  const mongoUri = options.mongoUri ?? process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017';
  const env = {
    KAFKA_BROKERS: brokers.join(','),
    FLOOR_NAMESPACE: namespace,
    FLOOR_MONGODB_URI: mongoUri,
    FLOOR_DB_NAME: dbName,
  };
  const kafka = kafkaFor(env);
  // Undone in reverse: the processes stop before their topics go, so they do not complain about
  // topics vanishing under them.
  const stops: (() => Promise<void>)[] = [];
  const cleanUp = once(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  });
  const forget = stopOnSignal(cleanUp);
  try {
    stops.push(async () => {
      const admin = await kafka.admin();
      await admin.deleteTopics(await admin.listTopics()).finally(() => admin.disconnect());
    });
    await ensureTopics(kafka, [
      { topic: STEPS_TOPIC, partitions: PARTITIONS },
      { topic: RESULTS_TOPIC, partitions: PARTITIONS },
    ]);
    const connection = await connectDatabase(mongoUri, { dbName });
    stops.push(async () => {
      await connection.dropDatabase().finally(() => connection.close());
    });
    for (const role of ['worker', 'orchestrator']) {
      const child = await startRole(__filename, role, env);
      stops.push(() => stopProcess(child));
    }
    const producer = await kafka.producer();
    stops.push(() => producer.disconnect());
    const runs = connection.collection<FloorRun>('runs');
    let counter = 0;
    const target: LoadTarget<string> = {
      async submit(workload) {
        const runId = `${namespace}-${++counter}`;
        // What a gateway must do at least: store the run, then publish its first step.
        await runs.insertOne({ _id: runId, createdAt: Date.now() });
        const first = workload.shape === 'chain' ? 's0' : 'start';
        await producer.send(STEPS_TOPIC, [
          { key: runId, value: JSON.stringify(step(runId, first, workload)) },
        ]);
        return runId;
      },
      collect: (workload, submitted, deadline) => collect(runs, workload, submitted, deadline),
    };
    const result = await measureSystem('floor', target, {
      quick: options.quick,
      ...(options.workloads ? { workloads: options.workloads } : {}),
      startRate: (workload) => roundTo2(20 / Math.sqrt(workload.steps)),
    });
    result.notes.push(
      `Kafka client ${kafkaImplementationFromEnv(process.env)}, ${PARTITIONS} partitions a topic, orchestrator concurrency ${ORCHESTRATOR_CONCURRENCY}; run inserted, then one findOneAndUpdate per step`,
    );
    return result;
  } finally {
    forget();
    await cleanUp();
  }
}

function step(runId: string, node: string, workload: Workload): StepMessage {
  return { runId, node, shape: workload.shape, size: workload.size, ms: workload.stepMs };
}

function roundTo2(rate: number): number {
  return Number(rate.toPrecision(2));
}

async function collect(
  runs: Collection<FloorRun>,
  workload: Workload,
  submitted: { key: string; dueAt: number }[],
  deadline: number,
): Promise<RunRecord[]> {
  const ids = submitted.map((run) => run.key);
  while (
    Date.now() < deadline &&
    (await runs.countDocuments({ _id: { $in: ids }, finishedAt: { $exists: true } })) < ids.length
  ) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const stored = new Map<string, FloorRun>();
  for (const run of await runs.find({ _id: { $in: ids } }).toArray()) {
    stored.set(run._id, run);
  }
  return submitted.map(({ key, dueAt }) => {
    const run = stored.get(key);
    const nodes = run?.nodes ?? {};
    const chain =
      workload.shape === 'chain'
        ? Array.from({ length: workload.size }, (_, i) => nodes[`s${i}`]).filter(
            (node) => node !== undefined,
          )
        : undefined;
    return { dueAt, finishedAt: run?.finishedAt, chain };
  });
}

function kafkaFor(env: NodeJS.ProcessEnv): KafkaClient {
  return createKafkaClient({
    brokers: (env.KAFKA_BROKERS ?? '').split(','),
    clientId: env.FLOOR_NAMESPACE,
    namespace: env.FLOOR_NAMESPACE,
    implementation: kafkaImplementationFromEnv(env),
  });
}

/** The worker: runs each step as it arrives, never holding its partition, and reports it. */
async function workerRole(): Promise<void> {
  const kafka = kafkaFor(process.env);
  const producer = await kafka.producer();
  const consumer = await kafka.consumer({
    groupId: 'floor.worker',
    topics: [STEPS_TOPIC],
    fromBeginning: true,
    // As Weft's worker: it commits by itself; the floor never needs to resume, so never does.
    autoCommit: false,
  });
  const execute = async (message: StepMessage) => {
    const startedAt = Date.now();
    if (message.ms > 0) await new Promise((resolve) => setTimeout(resolve, message.ms));
    const result: StepMessage = { ...message, startedAt, finishedAt: Date.now() };
    await producer.send(RESULTS_TOPIC, [{ key: message.runId, value: JSON.stringify(result) }]);
  };
  await consumer.run(async (message) => {
    execute(JSON.parse(message.value.toString('utf8')) as StepMessage).catch((error: unknown) =>
      console.error('floor worker:', error),
    );
  });
  reportReady();
  await untilSignal();
  await consumer.disconnect();
  await producer.disconnect();
}

/** The orchestrator: one single-document update per result, then what became ready. */
async function orchestratorRole(): Promise<void> {
  const kafka = kafkaFor(process.env);
  const connection = await connectDatabase(process.env.FLOOR_MONGODB_URI ?? '', {
    dbName: process.env.FLOOR_DB_NAME,
  });
  const runs = connection.collection<FloorRun>('runs');
  const producer = await kafka.producer();
  const consumer = await kafka.consumer({
    groupId: 'floor.orchestrator',
    topics: [RESULTS_TOPIC],
    fromBeginning: true,
    partitionsConsumedConcurrently: ORCHESTRATOR_CONCURRENCY,
  });
  await consumer.run(async (consumed) => {
    const result = JSON.parse(consumed.value.toString('utf8')) as StepMessage;
    const { runId, node, shape, size } = result;
    const set: Record<string, unknown> = {
      [`nodes.${node}`]: { startedAt: result.startedAt, finishedAt: result.finishedAt },
    };
    const next = (name: string): StepMessage => ({ ...result, node: name, startedAt: undefined });
    let ready: StepMessage[] = [];
    const index = Number(node.slice(1));
    if (shape === 'chain' && index + 1 < size) ready = [next(`s${index + 1}`)];
    else if (node === 'start') ready = Array.from({ length: size }, (_, i) => next(`w${i}`));
    const last = (shape === 'chain' && index + 1 === size) || node === 'end';
    if (last) set.finishedAt = Date.now();
    const inFan = shape === 'fan' && node.startsWith('w');
    const written = await runs.findOneAndUpdate(
      { _id: runId },
      inFan ? { $set: set, $inc: { fanDone: 1 } } : { $set: set },
      { returnDocument: 'after', projection: { fanDone: 1 } },
    );
    if (inFan && written?.fanDone === size) ready = [next('end')];
    if (ready.length > 0) {
      await producer.send(
        STEPS_TOPIC,
        ready.map((message) => ({
          key: runId,
          value: JSON.stringify({ ...message, finishedAt: undefined }),
        })),
      );
    }
  });
  reportReady();
  await untilSignal();
  await consumer.disconnect();
  await producer.disconnect();
  await connection.close();
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
}

if (require.main === module) {
  const role = roleArgument();
  if (role === 'worker') runMain(workerRole);
  else if (role === 'orchestrator') runMain(orchestratorRole);
  else {
    runMain(async () => {
      const result = await runFloor({ quick: process.argv.includes('--quick') });
      console.log(formatResult(result));
      process.stderr.write(`written to ${await saveResult(result)}\n`);
    });
  }
}
