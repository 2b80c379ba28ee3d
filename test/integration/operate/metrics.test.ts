import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ORCHESTRATOR_GROUP, stepTopic, workerGroup } from '@weft/core';
import { brokerAnswers, createKafkaClient } from '@weft/kafka';
import { startHealthServer, WeftMetrics } from '@weft/observability';
import { TestEngine } from '../../support/engine';
import { waitFor } from '../../support/test-infrastructure';
import { ensureKafkaJars, freePort, startKafka, stopProcess } from '@weft/infra';

/** One sample of a Prometheus text exposition: `name{labels} value`. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).split('}')[0] ?? '';
    if (Object.entries(labels).every(([key, value]) => labelText.includes(`${key}="${value}"`))) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return undefined;
}

async function scrape(port: number, path = '/metrics'): Promise<{ status: number; text: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, text: await response.text() };
}

const PLAN = {
  name: 'measured',
  dag: {
    nodes: {
      first: { task: 'core/transform', inputs: { value: 1 } },
      second: { task: 'core/delay', inputs: { ms: 20 } },
    },
    edges: [{ from: 'first', to: 'second' }],
  },
};
const FAILING = {
  name: 'failing',
  dag: {
    nodes: { boom: { task: 'core/fail', inputs: { code: 'boom', retryable: false } } },
    edges: [],
  },
};

describe('metrics and health of real service processes', () => {
  const engine = new TestEngine();
  let workerPort: number;
  let orchestratorPort: number;

  beforeAll(async () => {
    await engine.open();
    [workerPort, orchestratorPort] = await Promise.all([freePort(), freePort()]);
    engine.spawnService('worker', {
      HEALTH_PORT: String(workerPort),
      STEP_TYPES: 'core/transform,core/delay,core/fail',
    });
    engine.spawnService('orchestrator', {
      HEALTH_PORT: String(orchestratorPort),
      ORCHESTRATOR_METRICS_INTERVAL_MS: '200',
    });
    for (const port of [workerPort, orchestratorPort]) {
      // Joining every consumer group can take a while on a busy machine; say what is missing.
      let last = 'no answer yet';
      await waitFor(
        `the service on ${port} to be ready (last /readyz: ${last})`,
        async () => {
          try {
            const answer = await scrape(port, '/readyz');
            last = answer.text.trim();
            return answer.status === 200 ? true : undefined;
          } catch {
            return undefined;
          }
        },
        { timeoutMs: 150_000, intervalMs: 250 },
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}; last /readyz: ${last}`);
      });
    }
  }, 320_000);

  afterAll(() => engine.close());

  it('count steps, queue time and runs with their labels', async () => {
    const runs = await Promise.all([1, 2, 3].map(() => engine.startRun(PLAN)));
    const failed = await engine.startRun(FAILING);
    await engine.waitForRuns([...runs.map((run) => run.id), failed.id]);

    const worker = (await scrape(workerPort)).text;
    expect(
      sample(worker, 'weft_step_attempts_total', { task: 'core/transform', outcome: 'succeeded' }),
    ).toBe(3);
    expect(
      sample(worker, 'weft_step_attempts_total', { task: 'core/delay', outcome: 'succeeded' }),
    ).toBe(3);
    expect(sample(worker, 'weft_step_failures_total', { task: 'core/fail', code: 'boom' })).toBe(1);
    expect(sample(worker, 'weft_step_queue_seconds_count', { task: 'core/transform' })).toBe(3);
    expect(sample(worker, 'weft_step_duration_seconds_count', { task: 'core/delay' })).toBe(3);
    // A 20 ms delay: every attempt lands above the 10 ms bucket.
    expect(
      sample(worker, 'weft_step_duration_seconds_bucket', { task: 'core/delay', le: '0.01' }),
    ).toBe(0);
    expect(sample(worker, 'weft_worker_in_flight', {})).toBe(0);
    expect(worker).toContain('service="worker"');

    const orchestrator = (await scrape(orchestratorPort)).text;
    expect(
      sample(orchestrator, 'weft_runs_finished_total', { workflow: '(plan)', status: 'completed' }),
    ).toBe(3);
    expect(
      sample(orchestrator, 'weft_runs_finished_total', { workflow: '(plan)', status: 'failed' }),
    ).toBe(1);
    // Lag counts from committed offsets, which trail what was handled by up to a commit
    // interval, and outboxes clear just after their messages go: once the work is done, every
    // gauge settles at 0.
    await waitFor(
      'the lag and outbox gauges to settle at 0',
      async () => {
        const text = (await scrape(orchestratorPort)).text;
        const lags = [ORCHESTRATOR_GROUP, workerGroup(stepTopic('core/transform'))].map((group) =>
          sample(text, 'weft_consumer_lag', { group }),
        );
        const backlog = sample(text, 'weft_outbox_backlog', {});
        return lags.every((lag) => lag === 0) && backlog === 0 ? text : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );

    expect((await scrape(workerPort, '/healthz')).status).toBe(200);
    const ready = JSON.parse((await scrape(workerPort, '/readyz')).text) as Record<string, unknown>;
    expect(ready).toEqual({
      status: 'ready',
      checks: { database: 'ok', kafka: 'ok', consumers: 'ok' },
    });
  });
});

describe('readiness follows the broker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-readyz-'));

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('goes unready when the broker stops and ready again when it returns', async () => {
    const libs = await ensureKafkaJars(join(dir, 'fetch.log'));
    const ports = { broker: await freePort(), controller: await freePort() };
    const start = () =>
      startKafka({
        dir: join(dir, 'kafka'),
        libs,
        ports,
        logFile: join(dir, 'kafka.log'),
        heapMb: 384,
      });
    let broker = await start();
    const kafka = createKafkaClient({
      brokers: [`127.0.0.1:${ports.broker}`],
      clientId: 'readyz-test',
      logLevel: 'nothing',
      retries: 0,
    });
    // The health server every service runs, with the broker check services use.
    const health = await startHealthServer({
      port: 0,
      host: '127.0.0.1',
      metrics: new WeftMetrics('test', { processMetrics: false }),
      checks: { kafka: () => brokerAnswers(kafka) },
    });
    const ready = async () => (await scrape(health.port, '/readyz')).status === 200;
    try {
      await waitFor('the private broker', async () => ((await ready()) ? true : undefined), {
        timeoutMs: 90_000,
        intervalMs: 500,
      });
      await stopProcess(broker, 10_000);
      await waitFor('unready', async () => ((await ready()) ? undefined : true), {
        timeoutMs: 20_000,
        intervalMs: 200,
      });
      broker = await start();
      await waitFor('ready again', async () => ((await ready()) ? true : undefined), {
        timeoutMs: 90_000,
        intervalMs: 500,
      });
      expect(JSON.parse((await scrape(health.port, '/readyz')).text)).toEqual({
        status: 'ready',
        checks: { kafka: 'ok' },
      });
    } finally {
      await health.close();
      await stopProcess(broker, 10_000);
    }
  });
});
