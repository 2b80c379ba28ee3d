// Temporal as a peer: its dev server (the `temporal` CLI, SQLite in memory) with the TypeScript
// SDK. A run is one workflow whose steps are activities doing the same work as Weft's steps; the
// worker (workflows and activities) is a process of its own, as Weft's worker is. Step times are
// taken by the activities themselves; a run's end is the workflow's close time on the server.
//
// Run: npx tsx bench/peers/temporal.ts [--quick]
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { PeerOptions } from './install';
import type { SystemResult } from '../report-shape';
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
import { saveResult } from '../save-result';
import { ensureTemporalCli, startTemporalDevServer, TEMPORAL_CLI_VERSION } from './temporal-cli';
import type { BenchActivities, StepTiming, benchRun } from './temporal-workflows';

/** Activities at once in the worker: as bench/run.ts gives Weft's worker (WORKER_CONCURRENCY). */
const CONCURRENCY = 256;
/** Runs whose results are awaited at once while collecting. */
const COLLECTING = 64;

/** Measures Temporal on every workload, on a dev server it starts and stops. */
export async function runTemporal(options: PeerOptions): Promise<SystemResult> {
  const binary = ensureTemporalCli();
  const stops: (() => Promise<void>)[] = [];
  const cleanUp = once(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  });
  const forget = stopOnSignal(cleanUp);
  try {
    const server = await startTemporalDevServer(binary, async (address) => {
      const probe = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await probe.workflowService.getSystemInfo({});
      } finally {
        await probe.close();
      }
    });
    stops.push(() => server.stop());
    const taskQueue = `weft-bench-${randomBytes(3).toString('hex')}`;
    const worker = await startRole(__filename, 'worker', {
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
    });
    stops.push(() => stopProcess(worker, 30_000));
    const connection = await Connection.connect({ address: server.address });
    stops.push(() => connection.close());
    const client = new Client({ connection, namespace: 'default' });
    let counter = 0;
    const target: LoadTarget<string> = {
      async submit(workload) {
        const workflowId = `${taskQueue}-${++counter}`;
        await client.workflow.start<typeof benchRun>('benchRun', {
          taskQueue,
          workflowId,
          args: [{ shape: workload.shape, size: workload.size, ms: workload.stepMs }],
        });
        return workflowId;
      },
      collect: (workload, runs, deadline) =>
        mapLimited(runs, COLLECTING, async (run): Promise<RunRecord> => {
          const handle = client.workflow.getHandle<typeof benchRun>(run.key);
          const times = await within(handle.result(), deadline - Date.now());
          if (times === undefined) return { dueAt: run.dueAt };
          const { closeTime } = await handle.describe();
          return {
            dueAt: run.dueAt,
            finishedAt: closeTime?.getTime(),
            chain: workload.shape === 'chain' && workload.size > 1 ? times : undefined,
          };
        }),
    };
    const result = await measureSystem('temporal', target, {
      quick: options.quick,
      ...(options.workloads ? { workloads: options.workloads } : {}),
      startRate: (workload) => Number((10 / Math.sqrt(workload.steps)).toPrecision(2)),
    });
    const { serverVersion } = await connection.workflowService.getSystemInfo({});
    result.notes.push(
      `Temporal server ${serverVersion} (temporal CLI ${TEMPORAL_CLI_VERSION} start-dev, SQLite in memory), TypeScript SDK ${sdkVersion()}; worker activity concurrency ${CONCURRENCY}, other worker options default`,
    );
    return result;
  } finally {
    forget();
    await cleanUp();
  }
}

/** `promise`'s value, or undefined when it has not settled within `ms` or failed. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, ms));
  });
  try {
    return await Promise.race([promise.catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** `fn` over `items`, at most `limit` at once, results in the items' order. */
async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>) {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

function sdkVersion(): string {
  const path = require.resolve('@temporalio/worker/package.json');
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}

const activities: BenchActivities = {
  async step(ms: number): Promise<StepTiming> {
    const startedAt = Date.now();
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
    return { startedAt, finishedAt: Date.now() };
  },
};

/** The worker process: bundles the workflow, then polls for workflow and activity tasks. */
async function workerRole(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS });
  const worker = await Worker.create({
    connection,
    namespace: 'default',
    taskQueue: process.env.TEMPORAL_TASK_QUEUE ?? '',
    workflowsPath: join(__dirname, 'temporal-workflows.ts'),
    activities,
    maxConcurrentActivityTaskExecutions: CONCURRENCY,
  });
  const running = worker.run();
  reportReady();
  // The SDK's runtime shuts the worker down on SIGTERM by itself; run() then resolves.
  await running;
  await connection.close();
}

if (require.main === module) {
  if (roleArgument() === 'worker') runMain(workerRole);
  else {
    runMain(async () => {
      const result = await runTemporal({ quick: process.argv.includes('--quick') });
      console.log(formatResult(result));
      process.stderr.write(`written to ${await saveResult(result)}\n`);
    });
  }
}
