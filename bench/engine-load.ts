// Open-loop load against a running Weft: the gateway, an orchestrator and a worker as real
// processes on the broker and database of `npm run infra:up` (or KAFKA_BROKERS / MONGODB_URI),
// in a Kafka namespace and database of their own. Requests go out at a constant rate whatever the
// answers do, so slow answers cannot hide latency. Figures come from the timestamps every hop
// records on the run (created, each node queued / started / finished). It prints a table and
// writes JSON to bench/results/; it never asserts a time.
//
// Run: npx tsc -b && npx tsx bench/engine-load.ts [--quick]
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort, waitFor } from '@weft/infra';
import { createKafkajsClient } from '@weft/kafka';
import { AppStore, connectDatabase } from '@weft/store';

const ROOT = join(__dirname, '..');
const QUICK = process.argv.includes('--quick');

interface Workload {
  name: string;
  plan: unknown;
  /** Steps a run executes. */
  steps: number;
}

const transform = (value: unknown) => ({ task: 'core/transform', inputs: { value } });
const delay = (ms: number) => ({ task: 'core/delay', inputs: { ms } });

function chain(length: number, node: (i: number) => unknown): unknown {
  const nodes: Record<string, unknown> = {};
  const edges: { from: string; to: string }[] = [];
  for (let i = 0; i < length; i++) {
    nodes[`s${i}`] = node(i);
    if (i > 0) edges.push({ from: `s${i - 1}`, to: `s${i}` });
  }
  return { name: `chain-${length}`, dag: { nodes, edges } };
}

function fan(width: number): unknown {
  const nodes: Record<string, unknown> = { start: transform(0), end: transform(1) };
  const edges: { from: string; to: string }[] = [];
  for (let i = 0; i < width; i++) {
    nodes[`w${i}`] = transform(i);
    edges.push({ from: 'start', to: `w${i}` }, { from: `w${i}`, to: 'end' });
  }
  return { name: `fan-${width}`, dag: { nodes, edges } };
}

const WORKLOADS: Workload[] = [
  { name: '1 node, 0 ms', plan: chain(1, () => transform(1)), steps: 1 },
  { name: '10-node chain, 0 ms', plan: chain(10, (i) => transform(i)), steps: 10 },
  { name: '10-node chain, 50 ms', plan: chain(10, () => delay(50)), steps: 10 },
  { name: '1→50→1, 0 ms', plan: fan(50), steps: 52 },
];

interface RunTimes {
  createdAt: number;
  finishedAt?: number;
  status: string;
  nodes: Record<string, { queuedAt?: number; startedAt?: number; finishedAt?: number }>;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function summary(values: number[]): { p50: number; p99: number; p999: number; n: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    p999: percentile(sorted, 99.9),
    n: sorted.length,
  };
}

async function main(): Promise<void> {
  const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
  const mongo = process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/weft';
  const namespace = `bench-${randomBytes(3).toString('hex')}`;
  const dbUri = new URL(mongo);
  dbUri.pathname = `/${namespace.replaceAll('-', '_')}`;
  const env = {
    ...process.env,
    KAFKA_BROKERS: brokers,
    MONGODB_URI: dbUri.toString(),
    WEFT_KAFKA_NAMESPACE: namespace,
    LOG_LEVEL: 'warn',
    WEFT_STEP_PARTITIONS: '8',
    WEFT_RESULT_PARTITIONS: '8',
  };
  const port = await freePort();
  const children: ChildProcess[] = [];
  const start = (service: string, extra: Record<string, string>) => {
    const child = spawn(process.execPath, [join(ROOT, 'services', service, 'dist', 'main.js')], {
      env: { ...env, HEALTH_PORT: '0', ...extra },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
    return child;
  };
  const connection = await connectDatabase(dbUri.toString());
  const { apiKey } = await new AppStore(connection).createApp('bench');
  start('gateway', { PORT: String(port), RATE_LIMIT_PER_MINUTE: '0' });
  start('orchestrator', {});
  start('worker', { STEP_TYPES: 'core/transform,core/delay', WORKER_CONCURRENCY: '256' });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    'the gateway',
    async () => ((await fetch(`${url}/readyz`).catch(() => undefined))?.ok ? true : undefined),
    {
      timeoutMs: 60_000,
      intervalMs: 200,
    },
  );
  // Warm up: topics, groups and connections.
  await fire(url, apiKey, WORKLOADS[0]!, 5, 3_000);
  await new Promise((resolve) => setTimeout(resolve, 3_000));

  const rates = QUICK ? [20, 50] : [10, 25, 50, 100, 150, 200];
  const seconds = QUICK ? 10 : 20;
  const results: unknown[] = [];
  const rows: string[] = [];
  for (const workload of QUICK ? WORKLOADS.slice(0, 3) : WORKLOADS) {
    for (const rate of rates.map((r) => Math.max(1, Math.round(r / Math.sqrt(workload.steps))))) {
      const sent = await fire(url, apiKey, workload, rate, seconds * 1000);
      const runs = connection.collection<{ _id: string } & RunTimes>('runs');
      const ids = sent.accepted.map((entry) => entry.runId);
      await waitFor(
        `${ids.length} runs of ${workload.name} to end`,
        async () =>
          (await runs.countDocuments({
            _id: { $in: ids },
            status: { $in: ['completed', 'failed', 'cancelled', 'timed_out'] },
          })) === ids.length
            ? true
            : undefined,
        { timeoutMs: 300_000, intervalMs: 500 },
      ).catch(() => undefined);
      const documents = await runs.find({ _id: { $in: ids } }).toArray();
      const firstStep: number[] = [];
      const overhead: number[] = [];
      const endToEnd: number[] = [];
      let completed = 0;
      let lastFinish = 0;
      for (const run of documents) {
        if (run.status !== 'completed' || run.finishedAt === undefined) continue;
        completed += 1;
        lastFinish = Math.max(lastFinish, run.finishedAt);
        endToEnd.push(run.finishedAt - run.createdAt);
        const nodes = Object.entries(run.nodes).sort(
          ([, a], [, b]) => (a.startedAt ?? 0) - (b.startedAt ?? 0),
        );
        const first = nodes[0]?.[1].startedAt;
        if (first !== undefined) firstStep.push(first - run.createdAt);
        // Previous step's result produced → next step running, along each chain.
        if (workload.name.startsWith('10-node chain')) {
          for (let i = 1; i < 10; i++) {
            const previous = run.nodes[`s${i - 1}`]?.finishedAt;
            const next = run.nodes[`s${i}`]?.startedAt;
            if (previous !== undefined && next !== undefined) overhead.push(next - previous);
          }
        }
      }
      const wall = Math.max(1, (lastFinish - sent.startedAt) / 1000);
      const accept = summary(sent.accepted.map((entry) => entry.acceptMs));
      const row = {
        workload: workload.name,
        rate,
        sent: sent.sent,
        accepted: sent.accepted.length,
        errors: sent.errors,
        completed,
        runsPerSecond: completed / wall,
        stepsPerSecond: (completed * workload.steps) / wall,
        acceptMs: accept,
        firstStepMs: summary(firstStep),
        stepOverheadMs: summary(overhead),
        endToEndMs: summary(endToEnd),
      };
      results.push(row);
      const f = (s: { p50: number; p99: number }) =>
        Number.isNaN(s.p50) ? '—' : `${s.p50.toFixed(0)} / ${s.p99.toFixed(0)}`;
      rows.push(
        `| ${workload.name} | ${rate}/s | ${completed}/${sent.sent} | ${row.runsPerSecond.toFixed(1)} | ${row.stepsPerSecond.toFixed(0)} | ${f(accept)} | ${f(row.firstStepMs)} | ${f(row.stepOverheadMs)} | ${f(row.endToEndMs)} |`,
      );
      process.stderr.write(`${rows.at(-1)}\n`);
    }
  }
  // Stopped before their topics go, so they do not complain about topics vanishing under them.
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          child.once('exit', resolve);
          child.kill('SIGTERM');
        }),
    ),
  );
  await connection.dropDatabase().catch(() => undefined);
  await connection.close();
  const admin = await createKafkajsClient({
    brokers: brokers.split(','),
    clientId: namespace,
    namespace,
    logLevel: 'nothing',
  }).admin();
  await admin.deleteTopics(await admin.listTopics()).catch(() => undefined);
  await admin.disconnect();

  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`;
  const table = [
    `Machine: ${machine}. Everything on one box (broker, database, services, load).`,
    '',
    '| workload | offered | completed/sent | runs/s | steps/s | accept p50/p99 ms | → first step p50/p99 ms | step overhead p50/p99 ms | end-to-end p50/p99 ms |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
  console.log(table);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(
    join(
      ROOT,
      'bench',
      'results',
      `engine-load-${new Date().toISOString().replaceAll(':', '-')}.json`,
    ),
    JSON.stringify({ machine, quick: QUICK, results }, null, 2),
  );
}

/** Sends `rate` runs a second for `durationMs`, open loop: one timer, requests never awaited. */
async function fire(
  url: string,
  apiKey: string,
  workload: Workload,
  rate: number,
  durationMs: number,
): Promise<{
  sent: number;
  errors: number;
  startedAt: number;
  accepted: { runId: string; acceptMs: number }[];
}> {
  const accepted: { runId: string; acceptMs: number }[] = [];
  const pending: Promise<void>[] = [];
  let errors = 0;
  const body = JSON.stringify({ plan: workload.plan });
  const startedAt = Date.now();
  const total = Math.round((rate * durationMs) / 1000);
  const begin = performance.now();
  for (let i = 0; i < total; i++) {
    const due = begin + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const sentAt = performance.now();
    pending.push(
      fetch(`${url}/v1/workflows/run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
        body,
      }).then(
        async (response) => {
          const json = (await response.json()) as { runId?: string };
          if (response.status === 202 && json.runId) {
            // From when it was due, not when it was sent: a late send is latency too.
            accepted.push({
              runId: json.runId,
              acceptMs: performance.now() - Math.min(due, sentAt),
            });
          } else errors += 1;
        },
        () => {
          errors += 1;
        },
      ),
    );
  }
  await Promise.all(pending);
  return { sent: total, errors, startedAt, accepted };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
