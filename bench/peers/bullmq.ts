// BullMQ as a peer: the same workloads as flows (parent/children) on a Redis of the harness's own.
// A chain is a nested flow (children run before their parent, so the deepest job is the first
// step); a 1→50→1 fan is a first job whose processor adds a flow of the 50 as children of the last
// one, since a flow is a tree and one job cannot be the child of 50 parents. Jobs run in a worker
// process of its own, as Weft's worker does. A run ends at its last job's finishedOn, BullMQ's own
// stamp. Step times are taken by the processor and returned as the job's value: BullMQ stamps a
// job's finishedOn and the next job's processedOn with one timestamp, in the one script that
// finishes the first and fetches the second, so its own stamps say 0 ms between steps and hide
// the round trips. Everything is read from Redis after each rate.
//
// Run: npx tsx bench/peers/bullmq.ts [--quick]
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { FlowProducer, Queue, Worker, type FlowJob, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { PeerOptions } from './install';
import type { SystemResult, Workload } from '../report-shape';
import { formatResult, measureSystem, type LoadTarget, type RunRecord } from '../open-loop';
import {
  once,
  reportReady,
  roleArgument,
  runMain,
  startRole,
  stopOnSignal,
  stopProcess,
} from '../processes';
import { startRedis } from './redis-server';
import { saveResult } from '../save-result';

/** Jobs at once in the worker: as bench/run.ts gives Weft's worker (WORKER_CONCURRENCY). */
const CONCURRENCY = 256;

/** When the processor began and ended a job, by the worker's clock (ms since the epoch). */
interface StepTiming {
  startedAt: number;
  finishedAt: number;
}

interface StepData {
  ms: number;
  /** Set on a fan's first job: how many parallel jobs its processor adds. */
  fan?: number;
}

/** Measures BullMQ on every workload, on a redis-server it starts and stops. */
export async function runBullmq(options: PeerOptions): Promise<SystemResult> {
  const redis = await startRedis();
  const queueName = `weft-bench-${randomBytes(3).toString('hex')}`;
  const connection = { host: '127.0.0.1', port: redis.port };
  const stops: (() => Promise<void>)[] = [() => redis.stop()];
  const cleanUp = once(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  });
  const forget = stopOnSignal(cleanUp);
  try {
    const worker = await startRole(__filename, 'worker', {
      BULLMQ_PORT: String(redis.port),
      BULLMQ_QUEUE: queueName,
    });
    stops.push(() => stopProcess(worker));
    const flows = new FlowProducer({ connection });
    const queue = new Queue(queueName, { connection });
    stops.push(
      () => flows.close(),
      () => queue.close(),
    );
    // A connection of the harness's own to read job times with, so BullMQ's stay as they are.
    const client = new Redis(redis.port, '127.0.0.1');
    stops.push(async () => void client.disconnect());
    let counter = 0;
    const target: LoadTarget<string> = {
      async submit(workload) {
        const runId = `r${++counter}`;
        await flows.add(flowOf(queueName, runId, workload));
        return runId;
      },
      async collect(workload, runs, deadline) {
        const last = (runId: string) =>
          queue.toKey(
            workload.shape === 'chain' ? `${runId}-s${workload.size - 1}` : `${runId}-end`,
          );
        let finished: (string | null)[] = [];
        for (;;) {
          const pipeline = client.pipeline();
          for (const run of runs) pipeline.hget(last(run.key), 'finishedOn');
          finished = ((await pipeline.exec()) ?? []).map(([, value]) => value as string | null);
          if (Date.now() >= deadline || finished.every((value) => value !== null)) break;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        // The times every step of every chain returned, in one round trip.
        const chains: RunRecord['chain'][] = [];
        if (workload.shape === 'chain' && workload.size > 1) {
          const pipeline = client.pipeline();
          for (const run of runs) {
            for (let i = 0; i < workload.size; i++) {
              pipeline.hget(queue.toKey(`${run.key}-s${i}`), 'returnvalue');
            }
          }
          const replies = ((await pipeline.exec()) ?? []).map(([, value]) =>
            typeof value === 'string' ? (JSON.parse(value) as StepTiming) : undefined,
          );
          for (let r = 0; r < runs.length; r++) {
            chains.push(
              replies
                .slice(r * workload.size, (r + 1) * workload.size)
                .filter((timing) => timing !== undefined),
            );
          }
        }
        return runs.map((run, r): RunRecord => {
          const end = finished[r];
          return {
            dueAt: run.dueAt,
            finishedAt: end === null || end === undefined ? undefined : Number(end),
            chain: chains[r],
          };
        });
      },
    };
    const result = await measureSystem('bullmq', target, {
      quick: options.quick,
      ...(options.workloads ? { workloads: options.workloads } : {}),
      startRate: (workload) => Number((40 / Math.sqrt(workload.steps)).toPrecision(2)),
    });
    result.notes.push(
      `BullMQ ${bullmqVersion()} on redis-server ${await redisVersion(client)}, no persistence; worker concurrency ${CONCURRENCY}`,
    );
    return result;
  } finally {
    forget();
    await cleanUp();
  }
}

/** The flow of one run. Job ids name the run and the node, so times can be read back by id. */
function flowOf(queueName: string, runId: string, workload: Workload): FlowJob {
  const job = (node: string, data: StepData) => ({
    name: node,
    queueName,
    data,
    opts: { jobId: `${runId}-${node}` },
  });
  if (workload.shape === 'fan') return job('start', { ms: workload.stepMs, fan: workload.size });
  let flow: FlowJob = job('s0', { ms: workload.stepMs });
  for (let i = 1; i < workload.size; i++) {
    flow = { ...job(`s${i}`, { ms: workload.stepMs }), children: [flow] };
  }
  return flow;
}

function bullmqVersion(): string {
  const path = require.resolve('bullmq/package.json');
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}

async function redisVersion(client: Redis): Promise<string> {
  const info = await client.info('server');
  return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
}

/** The worker process: runs every job of the queue, `CONCURRENCY` at once. */
async function workerRole(): Promise<void> {
  const queueName = process.env.BULLMQ_QUEUE ?? '';
  const connection = { host: '127.0.0.1', port: Number(process.env.BULLMQ_PORT) };
  const flows = new FlowProducer({ connection });
  const worker = new Worker<StepData>(
    queueName,
    async (job: Job<StepData>): Promise<StepTiming> => {
      const startedAt = Date.now();
      if (job.data.ms > 0) await new Promise((resolve) => setTimeout(resolve, job.data.ms));
      const width = job.data.fan;
      if (width === undefined) return { startedAt, finishedAt: Date.now() };
      // The fan's first step is done: its dependents are the 50, and the last step after them.
      const runId = job.id!.slice(0, -'-start'.length);
      const child = (node: string) => ({
        name: node,
        queueName,
        data: { ms: job.data.ms },
        opts: { jobId: `${runId}-${node}` },
      });
      await flows.add({
        ...child('end'),
        children: Array.from({ length: width }, (_, i) => child(`w${i}`)),
      });
      return { startedAt, finishedAt: Date.now() };
    },
    { connection, concurrency: CONCURRENCY },
  );
  worker.on('error', (error) => console.error('bullmq worker:', error));
  await worker.waitUntilReady();
  reportReady();
  await new Promise((resolve) => process.once('SIGTERM', resolve));
  await worker.close();
  await flows.close();
}

if (require.main === module) {
  if (roleArgument() === 'worker') runMain(workerRole);
  else {
    runMain(async () => {
      const result = await runBullmq({ quick: process.argv.includes('--quick') });
      console.log(formatResult(result));
      process.stderr.write(`written to ${await saveResult(result)}\n`);
    });
  }
}
