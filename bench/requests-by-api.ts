// `npx tsx bench/requests-by-api.ts [runs/s] [seconds] [workload]`: Weft's services at one rate of
// one workload (default: 20 runs/s of the 10-node chain for 10 s, after a warm-up), then, per step
// completed, each service's Kafka requests by API and database commands by command: what the cost
// budget's totals are made of. Needs `npx tsc -b` and the broker and database of `npm run infra:up`.
import { WORKLOADS } from './report-shape';
import { WeftSystem } from './weft-system';
import { WeftTarget } from './weft-target';

const COUNTERS = ['weft_kafka_requests_total', 'weft_database_commands_total'];

/** Every labelled sample of the counters, by `service counter{labels}`. */
function samples(metrics: Map<string, string>): Map<string, number> {
  const read = new Map<string, number>();
  for (const [service, text] of metrics) {
    for (const line of text.split('\n')) {
      const counter = COUNTERS.find((name) => line.startsWith(`${name}{`));
      if (!counter) continue;
      const labels = line
        .slice(counter.length, line.lastIndexOf(' '))
        .replace(/service="[^"]*",?/, '')
        .replace(/,}$/, '}');
      const key = `${service} ${counter.replace(/^weft_|_total$/g, '')}${labels}`;
      read.set(key, (read.get(key) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
    }
  }
  return read;
}

async function main(): Promise<void> {
  const [rate = 20, seconds = 10] = process.argv.slice(2, 4).map(Number);
  const named = process.argv[4] ?? '10-node chain, 0 ms';
  const workload = WORKLOADS.find((candidate) => candidate.name.includes(named));
  if (!workload) throw new Error(`no workload named like ${named}`);
  const system = await WeftSystem.start({
    workers: 1,
    stepTypes: 'core/transform,core/delay',
    workerConcurrency: 256,
    partitions: 8,
  });
  try {
    const target = new WeftTarget(system);
    // Warm-up: connections, caches and the first fetches are not what a step costs.
    await Promise.all(Array.from({ length: 20 }, () => target.submit(workload)));
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const before = samples(await system.metrics());
    const runs = Math.round(rate * seconds);
    const started = performance.now();
    const submitted: Promise<string>[] = [];
    for (let i = 0; i < runs; i++) {
      const wait = started + (i * 1000) / rate - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      submitted.push(target.submit(workload));
    }
    const keys = await Promise.all(submitted);
    const records = await target.collect(
      workload,
      keys.map((key) => ({ key, dueAt: Date.now() })),
      Date.now() + 30_000,
    );
    const ended = records.filter((record) => record.finishedAt !== undefined).length;
    const after = samples(await system.metrics());
    const steps = ended * workload.steps;
    console.log(`${workload.name}: ${rate} runs/s for ${seconds} s, ${ended} of ${runs} ended`);
    console.log('per step completed:');
    for (const [key, value] of [...after].sort(([a], [b]) => a.localeCompare(b))) {
      const perStep = (value - (before.get(key) ?? 0)) / steps;
      if (perStep >= 0.001) console.log(`  ${key.padEnd(72)} ${perStep.toFixed(3)}`);
    }
  } finally {
    await system.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
