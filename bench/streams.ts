// Live streams against another tenant: does watching runs cost the apps that are not watching?
// Ten runs keep changing (chains of 600 ms delays). One app opens 1,000 event streams on them
// (ten keys, a hundred streams each, the default limits), while another app starts runs at a
// steady rate. Reported: that app's start latency without and with the streams, and the
// gateway's CPU and peak memory in each phase.
//
// Run: npm run infra:up && npx tsc -b && npx tsx bench/streams.ts [--streams 1000] [--seconds 30]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AppStore } from '@weft/store';
import { percentile } from './stats';
import { watchProcesses, WeftSystem, type ProcessUsage } from './weft-system';

const RUNS = 10;
const DELAY_MS = 600;
const KEYS = 10;
const STARTS_PER_SECOND = 10;

interface Phase {
  name: string;
  streams: number;
  starts: number;
  failedStarts: number;
  startP50Ms: number;
  startP99Ms: number;
  gateway: ProcessUsage | undefined;
  /** The gateway's V8 heap in use and memory outside it (buffers), at the phase's end, MB. */
  gatewayHeapMb: number | undefined;
  gatewayExternalMb: number | undefined;
}

/** A gauge of the gateway's own metrics, in MB. */
async function gatewayGaugeMb(system: WeftSystem, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${system.url}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{`));
  const value = Number(line?.split(' ').at(-1));
  return Number.isFinite(value) ? Math.round(value / 1024 / 1024) : undefined;
}

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at < 0 ? undefined : Number(process.argv[at + 1]);
  return value !== undefined && Number.isFinite(value) ? value : fallback;
}

async function post(url: string, apiKey: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify(body),
  });
}

/** Starts runs of `apiKey`'s app at a steady rate for `seconds`; each start's latency. */
async function startAtRate(
  system: WeftSystem,
  apiKey: string,
  seconds: number,
): Promise<{ latencies: number[]; failed: number }> {
  const latencies: number[] = [];
  let failed = 0;
  const pending: Promise<void>[] = [];
  const plan = {
    name: 'other tenant',
    steps: [{ id: 'shape', type: 'core/transform', input: { value: 'x' } }],
  };
  const began = performance.now();
  for (let i = 0; i < seconds * STARTS_PER_SECOND; i++) {
    const due = began + (i * 1000) / STARTS_PER_SECOND;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(
      (async () => {
        const sent = performance.now();
        const response = await post(`${system.url}/v1/workflows/run`, apiKey, { plan });
        await response.arrayBuffer();
        // Latency from when the start was due, so a stalled gateway cannot hide its queue.
        if (response.status === 202) latencies.push(performance.now() - Math.min(sent, due));
        else failed++;
      })(),
    );
  }
  await Promise.all(pending);
  return { latencies, failed };
}

async function phase(
  name: string,
  system: WeftSystem,
  apiKey: string,
  seconds: number,
  streams: () => number,
): Promise<Phase> {
  const watch = watchProcesses(() =>
    system.processes().filter((process) => process.name === 'gateway'),
  );
  const { latencies, failed } = await startAtRate(system, apiKey, seconds);
  const [gateway] = watch.stop();
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    name,
    streams: streams(),
    starts: latencies.length,
    failedStarts: failed,
    startP50Ms: Math.round(percentile(sorted, 50) * 10) / 10,
    startP99Ms: Math.round(percentile(sorted, 99) * 10) / 10,
    gateway,
    gatewayHeapMb: await gatewayGaugeMb(system, 'nodejs_heap_size_used_bytes'),
    gatewayExternalMb: await gatewayGaugeMb(system, 'nodejs_external_memory_bytes'),
  };
}

async function main(): Promise<void> {
  const streamCount = option('streams', 1000);
  const seconds = option('seconds', 30);
  // Long enough for the runs to outlast both phases and the minute around them.
  const chainLength = Math.ceil(((2 * seconds + 60) * 1000) / DELAY_MS);
  const system = await WeftSystem.start({
    workers: 1,
    stepTypes: 'core/delay,core/transform',
    workerConcurrency: 32,
    partitions: 4,
  });
  const controller = new AbortController();
  try {
    const other = await new AppStore(system.connection).createApp('other tenant');
    const keys = [system.apiKey];
    while (keys.length < KEYS) {
      const created = await post(`${system.url}/v1/keys`, system.apiKey, {});
      keys.push(((await created.json()) as { apiKey: string }).apiKey);
    }
    const chain = {
      name: 'watched',
      steps: Array.from({ length: chainLength }, (_, i) => ({
        id: `wait${i}`,
        type: 'core/delay',
        input: { ms: DELAY_MS },
        ...(i === 0 ? {} : { dependsOn: [`wait${i - 1}`] }),
      })),
    };
    const runIds: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = await post(`${system.url}/v1/workflows/run`, system.apiKey, {
        plan: chain,
      });
      runIds.push(((await started.json()) as { runId: string }).runId);
    }
    const runsSeconds = (chainLength * DELAY_MS) / 1000;
    console.log(`${RUNS} runs of ${chainLength} × ${DELAY_MS} ms steps (${runsSeconds} s each)`);
    // Let the runs and the gateway warm up.
    await phase('warm-up', system, other.apiKey, 5, () => 0);

    const idle = await phase('no streams', system, other.apiKey, seconds, () => 0);
    console.log(JSON.stringify(idle));

    let open = 0;
    let events = 0;
    let refused = 0;
    const opened: Promise<void>[] = [];
    for (let i = 0; i < streamCount; i++) {
      const apiKey = keys[i % KEYS]!;
      const runId = runIds[i % RUNS]!;
      opened.push(
        (async () => {
          const response = await fetch(`${system.url}/v1/workflows/runs/${runId}/events`, {
            headers: { 'x-api-key': apiKey },
            signal: controller.signal,
          }).catch(() => undefined);
          if (response?.status !== 200 || !response.body) {
            refused++;
            await response?.body?.cancel();
            return;
          }
          open++;
          const reader = response.body.getReader();
          void (async () => {
            try {
              for (;;) {
                const { done } = await reader.read();
                if (done) break;
                events++;
              }
            } catch {
              // Aborted at the end.
            } finally {
              open--;
            }
          })();
        })(),
      );
    }
    await Promise.all(opened);
    console.log(`${open} streams open, ${refused} refused`);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const watched = await phase(
      `${streamCount} streams`,
      system,
      other.apiKey,
      seconds,
      () => open,
    );
    console.log(JSON.stringify(watched));
    console.log(`stream chunks read: ${events}`);

    const report = {
      when: new Date().toISOString(),
      runs: RUNS,
      chain: chainLength,
      delayMs: DELAY_MS,
      streamsAsked: streamCount,
      refused,
      startsPerSecond: STARTS_PER_SECOND,
      phases: [idle, watched],
      chunksRead: events,
      p99Ratio: Math.round((watched.startP99Ms / Math.max(1, idle.startP99Ms)) * 100) / 100,
    };
    const dir = join(__dirname, 'results');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `streams-${report.when.replaceAll(':', '-')}.json`);
    writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
    console.log(
      [
        '',
        '| phase | streams open | starts | start p50 | start p99 | gateway CPU | gateway peak RSS | heap / external at end |',
        '|---|---|---|---|---|---|---|---|',
        ...[idle, watched].map(
          (p) =>
            `| ${p.name} | ${p.streams} | ${p.starts} (${p.failedStarts} failed) | ${p.startP50Ms} ms | ${p.startP99Ms} ms | ${p.gateway?.cpuPercent ?? '?'}% | ${p.gateway?.peakRssMb ?? '?'} MB | ${p.gatewayHeapMb ?? '?'} / ${p.gatewayExternalMb ?? '?'} MB |`,
        ),
        '',
        `p99 with streams / without: ${report.p99Ratio}× (target ≤ 2×); saved to ${path}`,
      ].join('\n'),
    );
  } finally {
    controller.abort();
    await system.stop();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
