import { once } from 'node:events';
import {
  checkDefinition,
  DEAD_LETTERS_TOPIC,
  envelope,
  STEP_RESULTS_TOPIC,
  stepTopic,
} from '@weft/core';
import type { ConsumedMessage } from '@weft/kafka';
import { DefinitionStore, OutboxPublisher, RunEngine } from '@weft/store';
import type { WorkerRuntime as Worker } from '@weft/worker';
import { TestEngine } from '../../support/engine';
import { uniqueName, waitFor } from '../../support/test-infrastructure';

const transform = (value: unknown) => ({ task: 'core/transform', inputs: { value } });

describe('a worker killed mid-step', () => {
  const engine = new TestEngine();

  beforeAll(async () => {
    await engine.open();
  });

  afterAll(async () => {
    await engine.close();
  });

  it('retries a step elsewhere when its worker is killed mid-step, and completes', async () => {
    await engine.startOrchestrator();
    const doomed = engine.spawnService('worker', {
      STEP_TYPES: 'core/delay,core/transform',
      WORKER_SESSION_TIMEOUT_MS: '6000',
    });
    const run = await engine.startRun({
      name: 'survives a worker',
      dag: {
        nodes: {
          // The step timeout bounds how long a vanished worker's attempt is waited for.
          slow: {
            task: 'core/delay',
            inputs: { ms: 1_500 },
            timeout: 5,
            retry: { max_attempts: 3, initial_delay_ms: 100 },
          },
          after: transform('${nodes.slow.result.waited_ms}'),
        },
        edges: [{ from: 'slow', to: 'after' }],
      },
    });
    await engine.waitForRun(run.id, (r) => r.nodes.slow?.status === 'running', 60_000);
    doomed.kill('SIGKILL');
    await once(doomed, 'exit');

    await engine.startWorker();
    const done = await engine.waitForRun(run.id, undefined, 60_000);
    expect(done.status).toBe('completed');
    // Timers may fire a millisecond early as Date.now() measures them.
    expect(done.nodes.after?.result).toBeGreaterThanOrEqual(1_490);
    // Run elsewhere: by the in-process worker, either as attempt 1 redelivered or as attempt 2.
    expect(engine.executionsOf(run.id, 'slow')).toBeGreaterThanOrEqual(1);
    expect(done.nodes.slow?.workerId).not.toBe(undefined);
  });
});

describe('the orchestrator killed mid-run', () => {
  const engine = new TestEngine();

  beforeAll(async () => {
    await engine.open();
    await engine.startWorker();
  });

  afterAll(async () => {
    await engine.close();
  });

  it('completes a run whose orchestrator is killed mid-run and restarted', async () => {
    const run = await engine.startRun({
      name: 'survives the orchestrator',
      dag: {
        nodes: {
          first: { task: 'core/delay', inputs: { ms: 500 } },
          second: { task: 'core/delay', inputs: { ms: 500 } },
          third: transform('done'),
        },
        edges: [
          { from: 'first', to: 'second' },
          { from: 'second', to: 'third' },
        ],
      },
    });
    const orchestrator = engine.spawnService('orchestrator');
    await engine.waitForRun(run.id, (r) => r.nodes.first?.status === 'completed', 60_000);
    orchestrator.kill('SIGKILL');
    await once(orchestrator, 'exit');
    engine.spawnService('orchestrator');
    const done = await engine.waitForRun(run.id, undefined, 90_000);
    expect(done.status).toBe('completed');
    expect(done.nodes.third?.result).toBe('done');
  });
});

describe('regions, poison and load, with two orchestrators at once', () => {
  const engine = new TestEngine();
  let worker: Worker;

  beforeAll(async () => {
    await engine.open();
    // Two orchestrators share the results' partitions and both fire timers and sweep outboxes.
    await engine.startOrchestrator();
    await engine.startOrchestrator();
    worker = await engine.startWorker();
  });

  afterAll(async () => {
    await engine.close();
  });

  it('serves a workflow pinned to eu only from a worker started in eu', async () => {
    await engine.startWorker({ region: 'eu', stepTypes: ['core/transform'] });
    const run = await engine.startRun({
      name: 'eu only',
      region: 'eu',
      dag: { nodes: { a: transform('eu') }, edges: [] },
    });
    const done = await engine.waitForRun(run.id);
    expect(done.status).toBe('completed');
    expect(done.region).toBe('eu');
    expect(done.nodes.a?.workerId).toBeDefined();
    // The global workers of the tests above never consume the eu topic.
    const unserved = await engine.startRun({
      name: 'us only',
      region: 'us',
      dag: { nodes: { a: transform('us') }, edges: [] },
    });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect((await engine.runs.getById(unserved.id))?.nodes.a?.status).toBe('queued');
    await engine.runEngine.cancel('app_test', unserved.id);
  });

  it('dead-letters poison and never stalls: bad JSON, an unknown type, a result for no run', async () => {
    const deadLetters: ConsumedMessage[] = [];
    const consumer = await engine.kafka.consumer({
      groupId: uniqueName('dead-letters'),
      topics: [DEAD_LETTERS_TOPIC],
      fromBeginning: true,
    });
    await consumer.run(async (message) => {
      deadLetters.push(message);
    });
    await engine.publish(stepTopic('core/transform'), 'poison-1', '{not json');
    await engine.publish(
      STEP_RESULTS_TOPIC,
      'poison-2',
      JSON.stringify(
        envelope({
          id: 'p2',
          type: 'step.succeeded',
          runId: 'run_does_not_exist',
          nodeId: 'a',
          attempt: 1,
          createdAt: Date.now(),
          payload: { workerId: 'w', startedAt: 1, finishedAt: 2, result: null },
        }),
      ),
    );
    await engine.publish(
      STEP_RESULTS_TOPIC,
      'poison-3',
      JSON.stringify({ v: 1, id: 'x', type: 'step.exploded' }),
    );

    await waitFor('three dead letters', async () => (deadLetters.length >= 3 ? true : undefined), {
      timeoutMs: 30_000,
    });
    const codes = deadLetters
      .map((m) => (JSON.parse(m.value.toString()) as { code: string }).code)
      .sort();
    expect(codes).toEqual(['invalid_envelope', 'not_json', 'unknown_run']);
    // And work behind the poison still flows.
    const run = await engine.startRun({
      name: 'after poison',
      dag: { nodes: { a: transform(1) }, edges: [] },
    });
    expect((await engine.waitForRun(run.id)).status).toBe('completed');
    await consumer.disconnect();
  });

  it('completes 200 concurrent runs of a 5-node DAG', async () => {
    const definition = {
      name: 'five',
      dag: {
        nodes: {
          a: transform('${input.i}'),
          b: transform('${nodes.a.result}'),
          c: transform('${nodes.a.result}'),
          d: transform(['${nodes.b.result}', '${nodes.c.result}']),
          e: transform('${nodes.d.result}'),
        },
        edges: [
          { from: 'a', to: 'b' },
          { from: 'a', to: 'c' },
          { from: 'b', to: 'd' },
          { from: 'c', to: 'd' },
          { from: 'd', to: 'e' },
        ],
      },
    };
    const started = Date.now();
    const runs = await Promise.all(
      Array.from({ length: 200 }, (_, i) => engine.startRun(definition, { i })),
    );
    const accepted = Date.now();
    const done = await engine.waitForRuns(
      runs.map((run) => run.id),
      240_000,
    );
    const finished = Date.now();
    expect(done.every((run) => run.status === 'completed')).toBe(true);
    expect(done.map((run) => run.nodes.e?.result)).toEqual(runs.map((_, i) => [i, i]));
    for (const run of runs)
      for (const id of ['a', 'b', 'c', 'd', 'e']) expect(engine.executionsOf(run.id, id)).toBe(1);
    console.log(
      `200 runs × 5 nodes: accepted in ${accepted - started} ms, all completed in ${finished - started} ms ` +
        `(${Math.round((1000 * 1000) / (finished - started))} steps/s)`,
    );
  }, 300_000);

  it('keeps more steps in flight than it has partitions', async () => {
    const branches = Array.from({ length: 12 }, (_, i) => `wait${i}`);
    const run = await engine.startRun({
      name: 'wide',
      dag: {
        nodes: Object.fromEntries(
          branches.map((id) => [id, { task: 'core/delay', inputs: { ms: 1_500 } }]),
        ),
        edges: [],
      },
    });
    let most = 0;
    const sampler = setInterval(() => (most = Math.max(most, worker.inFlight)), 20);
    const done = await engine.waitForRun(run.id);
    clearInterval(sampler);
    expect(done.status).toBe('completed');
    // The step topics have 2 partitions here; one worker held the steps of many at once.
    expect(most).toBeGreaterThan(2);
  });

  it('publishes what a crash left in an outbox: the sweeper finds it', async () => {
    // A run engine whose producer is gone, as if the process died between write and publish.
    const deadProducer = await engine.kafka.producer();
    await deadProducer.disconnect();
    const crashed = new RunEngine(
      engine.runs,
      new DefinitionStore(engine.connection),
      new OutboxPublisher(engine.connection, deadProducer),
    );
    const definition = checkDefinition({
      name: 'orphan',
      dag: { nodes: { a: transform('found') }, edges: [] },
    }).definition!;
    const { run } = await crashed.create({
      appId: 'app_test',
      definition,
      workflow: { ephemeral: true, name: 'orphan' },
      input: {},
    });
    const stored = await engine.runs.getById(run.id);
    expect(Object.keys(stored?.outbox ?? {})).toHaveLength(1);
    const done = await engine.waitForRun(run.id, undefined, 30_000);
    expect(done.status).toBe('completed');
    expect(done.nodes.a?.result).toBe('found');
  });
});

describe('a worker stopped with SIGTERM, and a step longer than the session timeout', () => {
  const engine = new TestEngine();

  beforeAll(async () => {
    await engine.open();
    await engine.startOrchestrator();
  });

  afterAll(async () => {
    await engine.close();
  });

  it('finishes the step in flight before it exits, so the run completes without another worker', async () => {
    const worker = engine.spawnService('worker', {
      STEP_TYPES: 'core/delay',
      WORKER_SHUTDOWN_GRACE_MS: '20000',
    });
    const run = await engine.startRun({
      name: 'graceful',
      dag: { nodes: { wait: { task: 'core/delay', inputs: { ms: 2_000 } } }, edges: [] },
    });
    await engine.waitForRun(run.id, (r) => r.nodes.wait?.status === 'running', 60_000);
    worker.kill('SIGTERM');
    const [code] = (await once(worker, 'exit')) as [number | null];
    expect(code).toBe(0);
    const done = await engine.runs.getById(run.id);
    expect(done?.nodes.wait).toMatchObject({ status: 'completed', attempt: 1 });
    expect((done?.nodes.wait?.result as { waited_ms: number }).waited_ms).toBeGreaterThanOrEqual(
      1_990,
    );
  });

  it('runs a step longer than the session timeout once: no rebalance re-delivers it', async () => {
    const worker = await engine.startWorker({ stepTypes: ['core/delay'] });
    expect(worker.inFlight).toBe(0);
    // The in-process worker's session timeout is 10 s; the step takes 14 s.
    const run = await engine.startRun({
      name: 'long step',
      dag: { nodes: { long: { task: 'core/delay', inputs: { ms: 14_000 } } }, edges: [] },
    });
    const done = await engine.waitForRun(run.id, undefined, 60_000);
    expect(done.status).toBe('completed');
    expect(engine.executionsOf(run.id, 'long')).toBe(1);
  }, 90_000);
});

describe('a worker at its concurrency', () => {
  const engine = new TestEngine();

  beforeAll(async () => {
    await engine.open();
    await engine.startOrchestrator();
  });

  afterAll(async () => {
    await engine.close();
  });

  it('runs at most its concurrency, queues more, and hands the queued back when stopped', async () => {
    const counters = () => ({ now: 0, most: 0 });
    const sleeper = (counter: { now: number; most: number }) => ({
      'core/delay': async () => {
        counter.most = Math.max(counter.most, ++counter.now);
        await new Promise((resolve) => setTimeout(resolve, 300));
        counter.now -= 1;
        return { waited_ms: 300 };
      },
    });
    const first = counters();
    const narrow = await engine.startWorker({ concurrency: 2, handlers: sleeper(first) });
    const ids = Array.from({ length: 8 }, (_, i) => `w${i}`);
    const run = await engine.startRun({
      name: 'eight at once',
      dag: {
        nodes: Object.fromEntries(ids.map((id) => [id, { task: 'core/delay', inputs: { ms: 1 } }])),
        edges: [],
      },
    });
    await engine.waitForRun(
      run.id,
      (r) => Object.values(r.nodes).filter((node) => node.status === 'completed').length >= 2,
      30_000,
    );
    expect(narrow.inFlight).toBeLessThanOrEqual(2);
    await narrow.stop();
    expect(first.most).toBe(2);

    await engine.startWorker({ concurrency: 8, handlers: sleeper(counters()) });
    const done = await engine.waitForRun(run.id, undefined, 30_000);
    expect(done.status).toBe('completed');
    // Queued steps were handed back unstarted: every node ran exactly once.
    for (const id of ids) expect(engine.executionsOf(run.id, id)).toBe(1);
  });
});
