// Scale-out of one worker pool: 50 ms steps offered faster than the pool can run them, with 1, 2
// and 4 worker processes in turn, then one of them killed. Throughput comes from the steps'
// finish times the run documents record, per second; a phase's level is its median second once
// the pool settled. Reported: efficiency against linear, and how long the pool took to reach its
// new level after a worker was added and after one was killed.
//
// Run: npx tsc -b && npx tsx bench/scale-out.ts [--quick]
import { performance } from 'node:perf_hooks';
import { WeftSystem } from './weft-system';

/** Steps one worker runs at once: small, so that workers, not the engine, are what is scaled. */
const PER_WORKER = 2;
const STEP_MS = 50;
const CHAIN = 10;
/** What one worker can run, steps a second. */
const WORKER_CAPACITY = (PER_WORKER * 1000) / STEP_MS;

export interface ScaleOutResult {
  stepMs: number;
  perWorkerConcurrency: number;
  partitions: number;
  offeredStepsPerSecond: number;
  levels: { workers: number; stepsPerSecond: number; efficiency: number }[];
  /** From the change to the first second at 90% of the new level. */
  settleAfterAddMs: { from: number; to: number; ms: number | null }[];
  settleAfterKillMs: { from: number; to: number; ms: number | null };
  /** Steps the killed worker was running, and when the last of them finished after the kill. */
  killedInFlight: { steps: number; lastFinishedAfterMs: number | null };
  /** Series of completed steps a second, for the record. */
  series: { at: number; steps: number }[];
  events: { at: number; what: string }[];
}

interface Phase {
  workers: number;
  from: number;
  to: number;
}

export async function measureScaleOut(quick: boolean): Promise<ScaleOutResult> {
  const phaseMs = quick ? 12_000 : 30_000;
  // Well above 4 workers' worth, so each phase is limited by its workers.
  const offered = WORKER_CAPACITY * 4 * 1.25;
  const system = await WeftSystem.start({
    workers: 1,
    stepTypes: 'core/delay',
    workerConcurrency: PER_WORKER,
    partitions: 8,
  });
  const events: { at: number; what: string }[] = [];
  const runIds: string[] = [];
  let firing = true;
  try {
    // Warm-up: topics, group joins.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const plan = {
      name: 'scale-out',
      dag: {
        nodes: Object.fromEntries(
          Array.from({ length: CHAIN }, (_, i) => [
            `s${i}`,
            { task: 'core/delay', inputs: { ms: STEP_MS } },
          ]),
        ),
        edges: Array.from({ length: CHAIN - 1 }, (_, i) => ({ from: `s${i}`, to: `s${i + 1}` })),
      },
    };
    const body = JSON.stringify({ plan });
    const runsPerSecond = offered / CHAIN;
    const firing$ = (async () => {
      const begin = performance.now();
      for (let i = 0; firing; i++) {
        const wait = begin + (i * 1000) / runsPerSecond - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        void fetch(`${system.url}/v1/workflows/run`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': system.apiKey },
          body,
        })
          .then((response) => response.json() as Promise<{ runId?: string }>)
          .then((json) => json.runId && runIds.push(json.runId))
          .catch(() => undefined);
      }
    })();
    const phases: Phase[] = [];
    const hold = async (workers: number) => {
      const from = Date.now();
      await new Promise((resolve) => setTimeout(resolve, phaseMs));
      phases.push({ workers, from, to: Date.now() });
    };
    const mark = (what: string) => {
      events.push({ at: Date.now(), what });
      process.stderr.write(`[scale-out] ${what}\n`);
    };
    mark('1 worker');
    await hold(1);
    await system.addWorker();
    mark('added a worker: 2');
    await hold(2);
    await system.addWorker();
    await system.addWorker();
    mark('added two workers: 4');
    await hold(4);
    system.kill('worker-1');
    mark('killed worker-1: 3');
    await hold(3);
    firing = false;
    await firing$;
    // The killed worker's steps come back once its session and its leases expire: wait for them.
    await waitForRunsToEnd(system, runIds, 40_000);

    const nodes = await stepTimes(system, runIds);
    const series = perSecond(nodes);
    const killedAt = events.at(-1)!.at;
    // Started before the kill, finished long after: run again once the lease ran out.
    const orphans = nodes.filter(
      (node) => node.startedAt < killedAt && node.finishedAt - node.startedAt > 5 * STEP_MS,
    );
    const level = (phase: Phase) => {
      // The second half of a phase: the pool has settled by then.
      const settled = series.filter(
        (point) => point.at >= (phase.from + phase.to) / 2 && point.at < phase.to - 1_000,
      );
      return median(settled.map((point) => point.steps));
    };
    const single = level(phases[0]!);
    const levels = phases.map((phase) => ({
      workers: phase.workers,
      stepsPerSecond: level(phase),
      efficiency: single > 0 ? level(phase) / (single * phase.workers) : 0,
    }));
    const settle = (index: number) => {
      const phase = phases[index]!;
      const target = 0.9 * level(phase);
      const reached = series.find((point) => point.at >= phase.from && point.steps >= target);
      return reached ? reached.at - phase.from : null;
    };
    return {
      stepMs: STEP_MS,
      perWorkerConcurrency: PER_WORKER,
      partitions: 8,
      offeredStepsPerSecond: offered,
      levels: levels.filter((entry) => entry.workers !== 3),
      settleAfterAddMs: [
        { from: 1, to: 2, ms: settle(1) },
        { from: 2, to: 4, ms: settle(2) },
      ],
      settleAfterKillMs: { from: 4, to: 3, ms: settle(3) },
      killedInFlight: {
        steps: orphans.length,
        lastFinishedAfterMs:
          orphans.length === 0
            ? null
            : Math.max(...orphans.map((node) => node.finishedAt)) - killedAt,
      },
      series,
      events,
    };
  } finally {
    firing = false;
    await system.stop();
  }
}

/** Waits until every run ended, or `timeoutMs`. */
async function waitForRunsToEnd(
  system: WeftSystem,
  runIds: string[],
  timeoutMs: number,
): Promise<void> {
  const runs = system.connection.collection<{ _id: string; status: string }>('runs');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await runs.countDocuments({
      _id: { $in: runIds },
      status: { $nin: ['completed', 'failed', 'cancelled', 'timed_out'] },
    });
    if (open === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/** Every step's start and finish, from the run documents. */
async function stepTimes(
  system: WeftSystem,
  runIds: string[],
): Promise<{ startedAt: number; finishedAt: number }[]> {
  const runs = system.connection.collection<{
    _id: string;
    nodes: Record<string, { startedAt?: number; finishedAt?: number }>;
  }>('runs');
  const times: { startedAt: number; finishedAt: number }[] = [];
  for (let i = 0; i < runIds.length; i += 500) {
    const documents = await runs
      .find({ _id: { $in: runIds.slice(i, i + 500) } }, { projection: { nodes: 1 } })
      .toArray();
    for (const document of documents) {
      for (const { startedAt, finishedAt } of Object.values(document.nodes)) {
        if (startedAt !== undefined && finishedAt !== undefined)
          times.push({ startedAt, finishedAt });
      }
    }
  }
  return times;
}

/** Steps finished in each second. */
function perSecond(times: { finishedAt: number }[]): { at: number; steps: number }[] {
  const counts = new Map<number, number>();
  for (const { finishedAt } of times) {
    const second = Math.floor(finishedAt / 1000) * 1000;
    counts.set(second, (counts.get(second) ?? 0) + 1);
  }
  return [...counts].sort(([a], [b]) => a - b).map(([at, steps]) => ({ at, steps }));
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export function formatScaleOut(result: ScaleOutResult): string {
  const lines = [
    `${result.stepMs} ms steps, ${result.perWorkerConcurrency} at once per worker, ${result.partitions} partitions, ${result.offeredStepsPerSecond} steps/s offered`,
    '',
    '| workers | steps/s | efficiency vs linear |',
    '| --- | --- | --- |',
    ...result.levels.map(
      (level) =>
        `| ${level.workers} | ${level.stepsPerSecond} | ${(level.efficiency * 100).toFixed(0)}% |`,
    ),
    '',
    ...result.settleAfterAddMs.map(
      (entry) =>
        `${entry.from} → ${entry.to} workers: new level reached in ${entry.ms === null ? 'never' : `${(entry.ms / 1000).toFixed(1)} s`}`,
    ),
    `${result.settleAfterKillMs.from} → ${result.settleAfterKillMs.to} workers (one SIGKILLed): level reached in ${result.settleAfterKillMs.ms === null ? 'never' : `${(result.settleAfterKillMs.ms / 1000).toFixed(1)} s`}; its ${result.killedInFlight.steps} steps in flight finished ${result.killedInFlight.lastFinishedAfterMs === null ? '—' : `${(result.killedInFlight.lastFinishedAfterMs / 1000).toFixed(1)} s`} after the kill`,
  ];
  return lines.join('\n');
}

if (require.main === module) {
  measureScaleOut(process.argv.includes('--quick')).then(
    (result) => console.log(formatScaleOut(result)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
