// The open-loop driver shared by the floor and the peers: runs are submitted at a constant rate
// whatever the system answers, so slow answers cannot hide latency; a short ladder of rates finds
// each workload's knee, then the workload runs again at 50% and 80% of it. Figures come from the
// timestamps each system records, read back after each rate (never while load is being offered).
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  WORKLOADS,
  type Percentiles,
  type ResultRow,
  type SystemResult,
  type Workload,
} from './report-shape';
import { summary } from './stats';

/** A run as submitted: the system's key for it and when it was due (ms since the epoch). */
export interface Submitted<K> {
  key: K;
  dueAt: number;
}

/** A run's times as the system recorded them, all in ms since the epoch. */
export interface RunRecord {
  dueAt: number;
  /** Undefined when the run had not ended by the deadline. */
  finishedAt?: number;
  /** Chains only: each step's start and finish, in chain order. */
  chain?: { startedAt: number; finishedAt: number }[];
}

/** What a system under test offers the driver. */
export interface LoadTarget<K> {
  /** Starts one run; resolves once the system has taken it, not when the run ends. */
  submit(workload: Workload): Promise<K>;
  /**
   * Waits until `runs` end or `deadline` (ms since the epoch) passes, then reads their times:
   * one record per run, in the same order.
   */
  collect(workload: Workload, runs: Submitted<K>[], deadline: number): Promise<RunRecord[]>;
  /** Called as a rate starts being offered: a system measuring more than the driver does. */
  begin?(workload: Workload, rate: number): void;
  /** Figures of its own for the rate just collected, added to its row. */
  extras?(workload: Workload, runs: Submitted<K>[]): Promise<Partial<ResultRow>>;
}

export interface LoadPlan {
  /** About a minute in all instead of several. */
  quick: boolean;
  /** The ladder's first rate, in runs a second. */
  startRate(workload: Workload): number;
  /** Default: every workload of report-shape.ts. */
  workloads?: readonly Workload[];
  /** Where progress lines go. Default: stderr. */
  log?: (line: string) => void;
}

interface Settings {
  rungSeconds: number;
  rungs: number;
  /** Each rung offers this many times the one before. */
  factor: number;
  /**
   * Rungs between the last rate kept up with and the first one not, each at their geometric
   * mean, until the second is at most this many times the first: the knee is then known to
   * within that much.
   */
  knownWithin: number;
  kneeSeconds: number;
  /** How long after the last run was due its runs may take to end and still count. */
  drainMs: number;
  /** How long the backlog of an overloaded rung may take to clear before the next rung. */
  settleMs: number;
  /** A pause after an overloaded rung, for what its backlog left behind (retries, timers). */
  coolDownMs: number;
}

const QUICK: Settings = {
  rungSeconds: 2,
  // 20 → 820 runs/s for a 1-node run: past what this machine's floor keeps up with.
  rungs: 5,
  // Coarse, to span a wide range in five short rates; bisection narrows it after.
  factor: 2.5,
  knownWithin: 1.15,
  kneeSeconds: 2,
  drainMs: 10_000,
  settleMs: 30_000,
  coolDownMs: 2_000,
};
const FULL: Settings = {
  rungSeconds: 10,
  rungs: 7,
  factor: 2,
  knownWithin: 1.15,
  kneeSeconds: 20,
  drainMs: 30_000,
  settleMs: 120_000,
  coolDownMs: 5_000,
};

/** Runs the ladder and the two fractions of the knee for every workload. */
export async function measureSystem<K>(
  system: string,
  target: LoadTarget<K>,
  plan: LoadPlan,
): Promise<SystemResult> {
  const settings = plan.quick ? QUICK : FULL;
  const log = plan.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const workloads = plan.workloads ?? WORKLOADS;
  const rows: ResultRow[] = [];
  const knees: SystemResult['knees'] = [];
  // Warm up connections, scripts, caches and code paths; the figures are thrown away.
  for (const workload of workloads) {
    await offer(target, workload, plan.startRate(workload), 1, 'ladder', settings);
  }
  for (const workload of workloads) {
    // The median end-to-end latency at the lowest rate offered so far: the unloaded latency.
    let baseline: { rate: number; p50: number } | undefined;
    const rung = async (rate: number, phase: ResultRow['phase'], seconds: number) => {
      const result = await offer(target, workload, rate, seconds, phase, settings, baseline?.p50);
      rows.push(result.row);
      log(`${system} | ${formatRow(result.row)}`);
      if (!result.keptUp) await new Promise((resolve) => setTimeout(resolve, settings.coolDownMs));
      const p50 = result.row.endToEndMs.p50;
      if (phase === 'ladder' && p50 !== null && (baseline === undefined || rate < baseline.rate)) {
        baseline = { rate, p50 };
      }
      return result.keptUp;
    };
    let rate = plan.startRate(workload);
    let kept: number | null = null;
    let missed: number | null = null;
    for (let i = 0; i < settings.rungs; i++, rate = roundRate(rate * settings.factor)) {
      if (await rung(rate, 'ladder', settings.rungSeconds)) kept = rate;
      else {
        missed = rate;
        break;
      }
    }
    // Too fast a start: step down, at most twice, so there is a knee to take fractions of.
    for (let down = 0; kept === null && down < 2; down++) {
      rate = roundRate(missed! / settings.factor ** (down + 1));
      if (await rung(rate, 'ladder', settings.rungSeconds)) kept = rate;
      else missed = rate;
    }
    while (kept !== null && missed !== null && missed / kept > settings.knownWithin) {
      const between = roundRate(Math.sqrt(kept * missed));
      if (between <= kept || between >= missed) break;
      if (await rung(between, 'ladder', settings.rungSeconds)) kept = between;
      else missed = between;
    }
    knees.push({ workload: workload.name, runsPerSecond: kept, reached: missed !== null });
    if (kept === null) continue;
    await rung(roundRate(kept * 0.5), '50% of knee', settings.kneeSeconds);
    await rung(roundRate(kept * 0.8), '80% of knee', settings.kneeSeconds);
  }
  return { system, machine: describeMachine(), rows, knees, notes: [] };
}

/** One rate for `seconds`, then the figures, and whether the system kept up with it. */
async function offer<K>(
  target: LoadTarget<K>,
  workload: Workload,
  rate: number,
  seconds: number,
  phase: ResultRow['phase'],
  settings: Settings,
  unloadedP50?: number,
): Promise<{ row: ResultRow; keptUp: boolean }> {
  target.begin?.(workload, rate);
  const fired = await fire(target, workload, rate, seconds);
  const records = await target.collect(workload, fired.runs, fired.lastDueAt + settings.drainMs);
  const extras = await target.extras?.(workload, fired.runs);
  const notes: string[] = [];
  if (fired.firstError !== undefined) {
    notes.push(`${fired.errors} submissions failed, first: ${fired.firstError}`);
  }
  // An overloaded rung leaves a backlog; the next rung must not start on top of it.
  const unfinished = fired.runs.filter((_, i) => records[i]?.finishedAt === undefined);
  if (unfinished.length > 0) {
    notes.push(`${unfinished.length} runs had not ended ${settings.drainMs} ms after the last due`);
    const settled = await target.collect(workload, unfinished, Date.now() + settings.settleMs);
    const stuck = settled.filter((record) => record.finishedAt === undefined).length;
    if (stuck > 0) notes.push(`${stuck} of them had not ended ${settings.settleMs} ms later`);
  }
  const result = figures(
    workload,
    rate,
    phase,
    fired.sent,
    fired.errors,
    records,
    notes,
    unloadedP50,
  );
  return { ...result, row: { ...result.row, ...extras } };
}

/** Submits `rate` runs a second for `seconds`, open loop: one clock, submissions never awaited. */
async function fire<K>(
  target: LoadTarget<K>,
  workload: Workload,
  rate: number,
  seconds: number,
): Promise<{
  runs: Submitted<K>[];
  sent: number;
  errors: number;
  firstError?: string;
  lastDueAt: number;
}> {
  const runs: Submitted<K>[] = [];
  const pending: Promise<void>[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const total = Math.max(1, Math.round(rate * seconds));
  const epoch = Date.now();
  const begin = performance.now();
  let dueAt = epoch;
  for (let i = 0; i < total; i++) {
    const due = begin + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    // From when it was due, not when it went out: a late submission is latency too.
    const run = { dueAt: epoch + (due - begin) };
    dueAt = run.dueAt;
    pending.push(
      target.submit(workload).then(
        (key) => void runs.push({ key, dueAt: run.dueAt }),
        (error: unknown) => {
          errors += 1;
          firstError ??= error instanceof Error ? error.message : String(error);
        },
      ),
    );
  }
  await Promise.all(pending);
  runs.sort((a, b) => a.dueAt - b.dueAt);
  return { runs, sent: total, errors, firstError, lastDueAt: dueAt };
}

/**
 * Throughput and latencies of one rate, and whether the system kept up with it: no submission
 * refused, nearly every run ended, runs ended about as fast as they came, and latency neither
 * climbed during the rate (a growing queue, even when too short a rate to show in throughput)
 * nor stood far above `unloadedP50`, the median at the lowest rate.
 */
export function figures(
  workload: Workload,
  rate: number,
  phase: ResultRow['phase'],
  sent: number,
  errors: number,
  records: RunRecord[],
  notes: string[] = [],
  unloadedP50?: number,
): { row: ResultRow; keptUp: boolean } {
  const ended = records.filter((record) => record.finishedAt !== undefined);
  const endToEnd = ended.map((record) => record.finishedAt! - record.dueAt);
  const overhead: number[] = [];
  for (const record of ended) {
    const chain = record.chain ?? [];
    for (let i = 1; i < chain.length; i++) {
      overhead.push(chain[i]!.startedAt - chain[i - 1]!.finishedAt);
    }
  }
  // The rate runs ended at, between the first end and the last: unlike counting from the first
  // submission, a short rate of long runs does not read as a low throughput.
  const ends = ended.map((record) => record.finishedAt!);
  const span = (Math.max(...ends) - Math.min(...ends)) / 1000;
  const runsPerSecond =
    ended.length >= 2 && span > 0 ? (ended.length - 1) / span : Math.min(ended.length, rate);
  const third = Math.floor(ended.length / 3);
  const p50 = median(endToEnd);
  const overloads = [
    errors > 0 && 'submissions were refused',
    ended.length < 0.99 * sent && 'runs did not end in time',
    ended.length >= 10 && runsPerSecond < 0.85 * rate && 'runs ended slower than they came',
    third >= 3 &&
      median(endToEnd.slice(-third)) > 1.5 * median(endToEnd.slice(0, third)) + 50 &&
      'latency climbed during the rate',
    unloadedP50 !== undefined &&
      p50 > 2 * unloadedP50 + 50 &&
      `median latency over twice the ${Math.round(unloadedP50)} ms of the lowest rate`,
  ].filter((reason) => reason !== false);
  return {
    row: {
      workload: workload.name,
      rate,
      phase,
      sent,
      completed: ended.length,
      runsPerSecond: Math.round(runsPerSecond * 100) / 100,
      stepsPerSecond: Math.round(runsPerSecond * workload.steps * 10) / 10,
      endToEndMs: percentiles(endToEnd),
      stepOverheadMs:
        workload.shape === 'chain' && workload.size > 1 ? percentiles(overhead) : null,
      notes: [...notes, ...overloads.map((reason) => `overloaded: ${reason}`)],
    },
    keptUp: overloads.length === 0,
  };
}

function median(values: number[]): number {
  return summary(values).p50;
}

export function percentiles(values: number[]): Percentiles {
  const { p50, p99, p999 } = summary(values);
  const plain = (value: number) => (Number.isNaN(value) ? null : Math.round(value * 10) / 10);
  return { p50: plain(p50), p99: plain(p99), p999: plain(p999) };
}

/** Two significant digits, so ladder rates stay readable. */
function roundRate(rate: number): number {
  return Number(rate.toPrecision(2));
}

/** The machine, as every report of bench/ states it. */
export function describeMachine(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`;
}

/** A Markdown row: workload, phase, rate, completed/sent, runs/s, steps/s, latencies, notes. */
export function formatRow(row: ResultRow): string {
  const f = (p: Percentiles | null) =>
    p === null || p.p50 === null ? '—' : `${p.p50} / ${p.p99} / ${p.p999}`;
  return [
    row.workload,
    row.phase,
    `${row.rate}/s`,
    `${row.completed}/${row.sent}`,
    row.runsPerSecond.toFixed(1),
    row.stepsPerSecond.toFixed(0),
    f(row.endToEndMs),
    f(row.stepOverheadMs),
    row.notes.join('; '),
  ].join(' | ');
}

/** The whole result as a Markdown table, knees after it. */
export function formatResult(result: SystemResult): string {
  return [
    `${result.system} — ${result.machine}`,
    '',
    '| workload | phase | offered | completed/sent | runs/s | steps/s | end-to-end p50/p99/p99.9 ms | step overhead p50/p99/p99.9 ms | notes |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...result.rows.map((row) => `| ${formatRow(row)} |`),
    '',
    ...result.knees.map(
      (knee) =>
        `knee of ${knee.workload}: ${knee.runsPerSecond === null ? 'below the first rate' : `${knee.reached ? '' : '≥ '}${knee.runsPerSecond} runs/s`}`,
    ),
    ...result.notes.map((note) => `note: ${note}`),
  ].join('\n');
}
