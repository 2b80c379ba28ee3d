/**
 * `npx tsx test/chaos/chaos.ts [--minutes N] [--rate R] [--brokers 1|3] [--keep]`: faults under
 * steady load, then
 * an accountant. Starts a private Kafka broker and database, the real services as processes, a
 * fake OpenAI and a webhook receiver; drives an open-loop load of mixed workflows while a fault
 * script kills, stops and restarts each part in turn; then checks from the client's own record of
 * every 2xx that nothing was lost or duplicated. See test/chaos/README.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommandLine, progressLog } from './command-line';
import { CLUSTER_FAULTS, FAULTS, FaultScript, type FaultName, type FaultRecord } from './faults';
import { Load } from './load-client';
import { setTimeout as sleep } from 'node:timers/promises';
import { StepRate } from './step-rate';
import {
  accountClean,
  accountLines,
  assertServicesBuilt,
  findingLines,
  preflight,
  reportProgress,
  settleAndAccount,
  startSystem,
  unplannedExitLines,
  WORKER_NAMES,
  type RunningSystem,
  type Settled,
} from './system';

interface Options {
  minutes: number;
  rate: number;
  keep: boolean;
  settleSeconds: number;
  /** 1: one broker, which is restarted; 3: a replicated cluster whose brokers fail one by one. */
  brokers: number;
}

const WARM_UP_MS = 10_000;

function parseOptions(argv: string[]): Options {
  return parseCommandLine(
    argv,
    { minutes: 3, rate: 5, keep: false, settleSeconds: 180, brokers: 1 },
    {
      '--minutes': 'minutes',
      '--rate': 'rate',
      '--settle-seconds': 'settleSeconds',
      '--brokers': 'brokers',
    },
    'npx tsx test/chaos/chaos.ts [--minutes N] [--rate RUNS_PER_S] [--settle-seconds S] [--brokers 1|3] [--keep]',
  );
}

const started = Date.now();
const log = progressLog('chaos', started);

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (options.brokers !== 1 && options.brokers !== 3) throw new Error('--brokers is 1 or 3');
  const faultNames = options.brokers === 1 ? FAULTS : CLUSTER_FAULTS;
  assertServicesBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'weft-chaos-'));
  log(`working in ${dir}`);
  let system: RunningSystem | undefined;
  let passed = false;
  try {
    system = await startSystem(dir, log, { brokers: options.brokers });
    const { services, infra, receiver, client } = system;
    const load = new Load(client, {
      ratePerSecond: options.rate,
      perRunWebhookUrl: `${receiver.url}/per-run`,
    });
    // Every workflow once before any fault.
    await preflight(load);

    const durationMs = options.minutes * 60_000;
    const t0 = Date.now();
    log(
      `load: ${options.rate} runs/s for ${options.minutes} min, faults from +${WARM_UP_MS / 1000}s`,
    );
    load.start();
    const stepRate = new StepRate(services, WORKER_NAMES);
    stepRate.start();
    const faults = new FaultScript(services, infra, load, receiver, t0, log, faultNames, stepRate);
    const progress = setInterval(() => reportProgress(load, receiver, t0, log), 15_000);
    const estimatedFaultsMs = faultNames.length * 15_000;
    const gapMs = Math.min(
      30_000,
      Math.max(3_000, (durationMs - WARM_UP_MS - 10_000 - estimatedFaultsMs) / faultNames.length),
    );
    await sleep(WARM_UP_MS);
    await Promise.all([faults.run(t0 + durationMs, gapMs), sleep(t0 + durationMs - Date.now())]);
    log('load: stopping; waiting for every submission to be answered');
    await load.stop();
    await stepRate.stop();
    clearInterval(progress);
    const loadMs = Date.now() - t0;

    const settled = await settleAndAccount(
      system,
      load,
      { settleSeconds: options.settleSeconds, workerFaults: faults.workerFaults },
      log,
    );
    passed = printSummary({
      options,
      faultNames,
      loadMs,
      settled,
      faults: faults.records,
      unplanned: unplannedExitLines(services, t0),
      submitted: load.submissions.length,
      retried: load.retriedRequests,
      elapsedMs: Date.now() - started,
    });
  } finally {
    await system?.close();
    if (passed && !options.keep) rmSync(dir, { recursive: true, force: true });
    else log(`logs and data kept in ${dir}`);
  }
  return passed ? 0 : 1;
}

function printSummary(input: {
  options: Options;
  faultNames: readonly FaultName[];
  loadMs: number;
  settled: Settled;
  faults: FaultRecord[];
  unplanned: string[];
  submitted: number;
  retried: number;
  elapsedMs: number;
}): boolean {
  const { settled, faults } = input;
  const injected = new Set(faults.filter((f) => f.error === undefined).map((f) => f.name));
  const missing = input.faultNames.filter((name) => !injected.has(name));
  const unrecovered = faults.filter(
    (f) => f.error === undefined && (f.recoveredMs === undefined || f.webhookMs === undefined),
  );
  const failedFaults = faults.filter((f) => f.error !== undefined);
  const lines: string[] = [];
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  lines.push('');
  lines.push(
    `== weft chaos: ${s(input.loadMs)} of load at ${input.options.rate} runs/s on ${input.options.brokers === 1 ? 'one broker' : `a ${input.options.brokers}-broker cluster`}, ${faults.length} faults; settled in ${s(settled.settledMs)}; ${s(input.elapsedMs)} in all ==`,
  );
  lines.push(...accountLines(settled.result, input.submitted, input.retried));
  lines.push(
    `unplanned service exits: ${input.unplanned.length === 0 ? 'none' : input.unplanned.join(', ')}`,
  );
  lines.push(
    'faults (at: what; how long it lasted; from its end until a run started afterwards completed, and until its webhook arrived; steps a second in the 10 s before, during, and 10 s after):',
  );
  for (const fault of faults) {
    const outcome = fault.error
      ? `NOT INJECTED: ${fault.error}`
      : `${s(fault.faultMs)}; run completed ${fault.recoveredMs === undefined ? 'NEVER' : `in ${s(fault.recoveredMs)}`}, its webhook ${fault.webhookMs === undefined ? 'NEVER' : `in ${s(fault.webhookMs)}`}${fault.readyMs === undefined ? '' : ` (/readyz 200 in ${s(fault.readyMs)})`}`;
    const rates = fault.stepsPerSecond;
    // A kill lasts no time: its cost shows in the 10 s after it.
    const during = fault.faultMs < 1_000 ? 'kill' : (rates?.during ?? '?');
    const held = rates
      ? `; steps/s ${rates.before ?? '?'} → ${during} → ${rates.after ?? '?'}`
      : '';
    lines.push(
      `  +${(fault.startedAt / 1000).toFixed(0).padStart(4)}s ${new Date(fault.startedAtMs).toISOString().slice(11, 19)} ${fault.name.padEnd(21)} ${fault.detail}; ${outcome}${held}`,
    );
  }
  if (missing.length > 0) lines.push(`faults never injected: ${missing.join(', ')}`);
  lines.push(...findingLines(settled.result));
  const passed =
    accountClean(settled) &&
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
