import { randomUUID } from 'node:crypto';
import {
  envelope,
  parseEnvelope,
  STEP_LEASES_TOPIC,
  STEP_RESULTS_TOPIC,
  type Envelope,
  type LeaseDecision,
} from '@weft/core';
import type { KafkaConsumer } from '@weft/kafka';
import { CORE_STEP_HANDLERS } from '@weft/steps';
import type { StepHandler } from '@weft/worker';
import { TestEngine } from '../../support/engine';
import { uniqueName } from '../../support/test-infrastructure';

/**
 * A step attempt runs once even when Kafka hands its message to a second worker: the orchestrator
 * grants each attempt to the first worker process that claims it and answers every other `held`;
 * a holder that stops renewing its lease loses the attempt (`worker_lost`) and another attempt
 * runs; a worker that stops hands its attempts back. Workers need Kafka only for all of it.
 */

const slow = (ms: number) => ({ task: 'core/delay', inputs: { ms }, timeout: 30 });
const single = {
  dag: { nodes: { h: { task: 'core/transform', inputs: { value: 'ran' } } }, edges: [] },
};

describe('attempt leases', () => {
  const engine = new TestEngine();
  /** Every lease answer the orchestrator sends, as this test's observer reads them. */
  const answers: Envelope<'step.lease'>[] = [];
  let observer: KafkaConsumer;

  beforeAll(async () => {
    await engine.open();
    await engine.startOrchestrator();
    observer = await engine.kafka.consumer({
      groupId: uniqueName('lease-observer'),
      topics: [STEP_LEASES_TOPIC],
    });
    await observer.run(async (message) => {
      const parsed = parseEnvelope(message.value);
      if (parsed.ok && parsed.envelope.type === 'step.lease') answers.push(parsed.envelope);
    });
  });

  afterAll(async () => {
    await observer.disconnect();
    await engine.close();
  });

  /** Claims, beats or releases an attempt as a worker process `holder` would, over Kafka. */
  async function say(
    type: 'step.claim' | 'step.heartbeat' | 'step.released',
    attempt: { runId: string; nodeId: string; attempt: number },
    holder: string,
    leaseMs = 1_500,
  ): Promise<void> {
    const fields = { ...attempt, id: randomUUID(), createdAt: Date.now() };
    const message =
      type === 'step.claim'
        ? envelope({
            ...fields,
            type,
            payload: { workerId: 'ghost', holder, startedAt: Date.now(), leaseMs },
          })
        : envelope({ ...fields, type, payload: { holder } });
    await engine.publish(STEP_RESULTS_TOPIC, attempt.runId, JSON.stringify(message));
  }

  async function answerTo(runId: string, holder: string): Promise<LeaseDecision> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const found = answers.find((a) => a.runId === runId && a.payload.holder === holder);
      if (found) return found.payload.decision;
      if (Date.now() > deadline) throw new Error(`no lease answer for ${holder} on ${runId}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('leaves an attempt to the holder that claimed it while it beats, and runs another once it stops', async () => {
    const started: number[] = [];
    const timed: StepHandler = async (inputs, context) => {
      started.push(Date.now());
      return CORE_STEP_HANDLERS['core/transform']!(inputs, context);
    };
    // No worker serves the type yet: the ghost claims the attempt first.
    const run = await engine.startRun({ name: 'held', ...single });
    const ghost = `ghost-${randomUUID()}`;
    const attempt = { runId: run.id, nodeId: 'h', attempt: 1 };
    await say('step.claim', attempt, ghost);
    expect(await answerTo(run.id, ghost)).toBe('granted');
    let beating = true;
    const heart = setInterval(() => {
      if (beating) void say('step.heartbeat', attempt, ghost);
    }, 300);
    try {
      await engine.startWorker({
        stepTypes: ['core/transform'],
        handlers: { 'core/transform': timed },
      });
      // The worker's claim is answered held, and it drops the message: nobody runs attempt 1.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(started).toEqual([]);
      expect(answers.filter((a) => a.runId === run.id).map((a) => a.payload.decision)).toEqual([
        'granted',
        'held',
      ]);
      const silentFrom = Date.now();
      beating = false;
      const done = await engine.waitForRun(run.id, undefined, 30_000);
      expect(done.status).toBe('completed');
      expect(done.nodes.h).toMatchObject({
        result: 'ran',
        attempt: 2,
        lost: 1,
        error: { code: 'worker_lost', retryable: true },
      });
      expect(started).toHaveLength(1);
      // Not before the ghost's lease (1.5 s) ran out and the check came round.
      expect(started[0]! - silentFrom).toBeGreaterThanOrEqual(1_000);
      // A heartbeat for the attempt it lost is answered lost.
      await say('step.heartbeat', attempt, ghost);
      const deadline = Date.now() + 10_000;
      while (!answers.some((a) => a.payload.holder === ghost && a.payload.decision === 'lost')) {
        if (Date.now() > deadline) throw new Error('no lost answer');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      clearInterval(heart);
    }
  });

  it('answers closed to a claim on an attempt the run no longer needs', async () => {
    const run = await engine.startRun({ name: 'finished elsewhere', ...single });
    await engine.startWorker({ stepTypes: ['core/transform'] });
    expect((await engine.waitForRun(run.id, undefined, 30_000)).status).toBe('completed');
    const late = `late-${randomUUID()}`;
    await say('step.claim', { runId: run.id, nodeId: 'h', attempt: 1 }, late);
    expect(await answerTo(run.id, late)).toBe('closed');
  });

  it('runs each attempt once while workers join and rebalance mid-step', async () => {
    await engine.startWorker({ concurrency: 64 });
    const runs = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        engine.startRun({
          name: `rebalanced ${i}`,
          dag: { nodes: { a: slow(2_500), b: slow(10) }, edges: [{ from: 'a', to: 'b' }] },
        }),
      ),
    );
    await engine.waitForRun(runs[0]!.id, (run) => run.nodes.a?.status === 'running', 30_000);
    // Each join rebalances the group: partitions move with their uncommitted, running messages.
    await engine.startWorker({ concurrency: 64 });
    await engine.startWorker({ concurrency: 64 });
    for (const run of runs) {
      const done = await engine.waitForRun(run.id, undefined, 60_000);
      expect(done.status).toBe('completed');
      expect(done.nodes.a?.attempt).toBe(1);
    }
    for (const run of runs) expect(engine.executionsOf(run.id, 'a')).toBe(1);
  });
});

describe('a stopping worker', () => {
  // An engine of its own: no worker but those this test starts serves its steps.
  const engine = new TestEngine();

  beforeAll(async () => {
    await engine.open();
    await engine.startOrchestrator();
  });

  afterAll(async () => {
    await engine.close();
  });

  it('hands back what a stopping worker runs, and another worker runs it at once', async () => {
    const stopping = await engine.startWorker({ stepTypes: ['core/delay'], leaseMs: 60_000 });
    const run = await engine.startRun({
      name: 'handed back',
      dag: { nodes: { a: slow(4_000) }, edges: [] },
    });
    await engine.waitForRun(run.id, (r) => r.nodes.a?.status === 'running', 30_000);
    const stoppedAt = Date.now();
    // Its grace (2 s) ends before the step: the attempt is handed back, not failed.
    await stopping.stop();
    await engine.startWorker({ stepTypes: ['core/delay'] });
    const done = await engine.waitForRun(run.id, undefined, 30_000);
    expect(done.status).toBe('completed');
    expect(done.nodes.a).toMatchObject({ attempt: 2, error: { code: 'worker_stopping' } });
    expect(done.nodes.a?.lost).toBeUndefined();
    // Well before the 60 s lease could have run out.
    expect(Date.now() - stoppedAt).toBeLessThan(20_000);
  });
});
