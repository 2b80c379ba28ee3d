// `npm run bench [-- --quick] [--only floor,weft,kafkajs,bullmq,temporal,scale-out]
// [--workload <part of a name>] [--history [N]]`: every system on the same workloads, in one run,
// on one machine: the floor (bare Kafka and database), Weft (on its default Kafka client,
// @platformatic/kafka, and on kafkajs), BullMQ and Temporal, then Weft's scale-out; with
// --history, Weft again on a database holding N ended runs (200,000 by default). Prints one report
// and writes it, with every figure, to bench/results/. Never part of `npm test`; it asserts
// nothing. See docs/benchmarks.md.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_KAFKA_IMPLEMENTATION,
  kafkaImplementationFromEnv,
  type KafkaImplementation,
} from '@weft/kafka';
import { DEFAULT_HISTORY_RUNS, preloadHistory } from './history';
import { formatResult, measureSystem } from './open-loop';
import { runFloor } from './floor';
import { loadPeer } from './peers/install';
import { WORKLOADS, type SystemResult, type Workload } from './report-shape';
import { formatScaleOut, measureScaleOut, type ScaleOutResult } from './scale-out';
import { formatSummary } from './summary';
import { WeftSystem } from './weft-system';
import { WeftTarget } from './weft-target';

const ROOT = join(__dirname, '..');
const SYSTEMS = ['floor', 'weft', 'kafkajs', 'bullmq', 'temporal', 'scale-out'] as const;
type SystemName = (typeof SYSTEMS)[number];

function parse(argv: string[]): {
  quick: boolean;
  only: Set<SystemName>;
  historyRuns: number | undefined;
} {
  const quick = argv.includes('--quick');
  const historyAt = argv.indexOf('--history');
  const historyArg = historyAt >= 0 ? argv[historyAt + 1] : undefined;
  const historyRuns =
    historyAt < 0
      ? undefined
      : historyArg !== undefined && /^\d+$/.test(historyArg)
        ? Number(historyArg)
        : DEFAULT_HISTORY_RUNS;
  const onlyAt = argv.indexOf('--only');
  const named = onlyAt >= 0 ? (argv[onlyAt + 1] ?? '').split(',') : [];
  for (const name of named) {
    if (!(SYSTEMS as readonly string[]).includes(name)) {
      throw new Error(`--only takes ${SYSTEMS.join(', ')}; not ${name}`);
    }
  }
  return {
    quick,
    only: new Set(named.length > 0 ? (named as SystemName[]) : SYSTEMS),
    historyRuns,
  };
}

async function measureWeft(
  quick: boolean,
  workloads: readonly Workload[],
  kafkaClient: KafkaImplementation,
  history?: { runs: number; log: (line: string) => void },
): Promise<SystemResult> {
  const system = await WeftSystem.start({
    workers: 1,
    stepTypes: 'core/transform,core/delay',
    workerConcurrency: 256,
    partitions: 8,
    kafkaClient,
  });
  try {
    if (history) await preloadHistory(system, history.runs, history.log);
    const name =
      (kafkaClient === DEFAULT_KAFKA_IMPLEMENTATION ? 'weft' : `weft (${kafkaClient})`) +
      (history ? `, ${history.runs} ended runs` : '');
    const result = await measureSystem(name, new WeftTarget(system), {
      quick,
      workloads,
      startRate: (workload) => Number((20 / Math.sqrt(workload.steps)).toPrecision(2)),
    });
    result.notes.push(
      `gateway, orchestrator and one worker (concurrency 256) as processes; 8 partitions a topic; Kafka client ${kafkaClient}`,
    );
    return result;
  } finally {
    await system.stop();
  }
}

async function main(): Promise<void> {
  const { quick, only, historyRuns } = parse(process.argv.slice(2));
  const startedAt = Date.now();
  // The broker and database of `npm run infra:up`, started if they are not running (idempotent).
  if (!process.env.KAFKA_BROKERS) {
    execFileSync(process.execPath, [join(ROOT, 'packages', 'infra', 'dist', 'cli.js'), 'up'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  // --workload <text>: only the workloads whose name has it (e.g. "chain").
  const pick = argValue(process.argv, '--workload');
  const workloads = (
    quick
      ? WORKLOADS.filter((workload) => workload.shape === 'chain' && workload.stepMs === 0)
      : WORKLOADS
  ).filter((workload) => pick === undefined || workload.name.includes(pick));
  const log = (line: string) => process.stderr.write(`[bench +${elapsed(startedAt)}] ${line}\n`);
  const systems: SystemResult[] = [];
  const failures: string[] = [];
  const attempt = async (name: string, run: () => Promise<SystemResult>) => {
    log(`${name}…`);
    try {
      const result = await run();
      systems.push(result);
      process.stderr.write(`${formatResult(result)}\n\n`);
    } catch (error) {
      // The rest still runs; the run fails at the end, naming what could not be measured.
      const why = error instanceof Error ? error.message : String(error);
      failures.push(`${name}: could not be measured: ${why}`);
      log(`${name} failed: ${why}`);
    }
  };
  if (only.has('floor')) await attempt('floor', () => runFloor({ quick, workloads }));
  const client = kafkaImplementationFromEnv(process.env);
  if (only.has('weft')) await attempt('weft', () => measureWeft(quick, workloads, client));
  if (historyRuns !== undefined) {
    await attempt(`weft with ${historyRuns} ended runs`, () =>
      measureWeft(quick, workloads, client, { runs: historyRuns, log }),
    );
  }
  if (only.has('kafkajs')) {
    await attempt('weft on kafkajs', () => measureWeft(quick, workloads, 'kafkajs'));
  }
  if (only.has('bullmq')) {
    await attempt('bullmq', async () => (await loadPeer('bullmq'))({ quick, workloads }));
  }
  if (only.has('temporal')) {
    await attempt('temporal', async () => (await loadPeer('temporal'))({ quick, workloads }));
  }
  let scaleOut: ScaleOutResult | undefined;
  if (only.has('scale-out')) {
    log('scale-out…');
    try {
      scaleOut = await measureScaleOut(quick);
    } catch (error) {
      failures.push(`scale-out: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  const report = [
    formatSummary(systems, quick),
    ...(scaleOut ? ['', '## Scale-out', '', formatScaleOut(scaleOut)] : []),
    ...failures.map((failure) => `\nnot measured: ${failure}`),
    '',
    `${quick ? 'quick run' : 'full run'}, ${elapsed(startedAt)} in all`,
  ].join('\n');
  console.log(report);
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replaceAll(':', '-');
  writeFileSync(join(dir, `bench-${stamp}.md`), `${report}\n`);
  writeFileSync(
    join(dir, `bench-${stamp}.json`),
    `${JSON.stringify({ quick, systems, scaleOut, failures }, null, 2)}\n`,
  );
  log(`written to bench/results/bench-${stamp}.{md,json}`);
  if (failures.length > 0) {
    // The report names them too, but a comparison missing a system must not pass for a whole one.
    log(`FAILED: ${failures.length} of the systems asked for could not be measured:`);
    for (const failure of failures) log(`  ${failure}`);
    process.exitCode = 1;
  }
}

function argValue(argv: string[], name: string): string | undefined {
  const at = argv.indexOf(name);
  return at >= 0 ? argv[at + 1] : undefined;
}

function elapsed(since: number): string {
  const seconds = Math.round((Date.now() - since) / 1000);
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
