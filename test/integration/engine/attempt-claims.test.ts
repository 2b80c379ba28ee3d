import type { StepHandler } from '@weft/steps';
import { AttemptClaims } from '@weft/store';
import { CORE_STEP_HANDLERS } from '@weft/steps';
import { TestEngine } from '../../support/engine';
import { connectCountingCommands } from '../../support/test-infrastructure';

/**
 * A step attempt runs once even when Kafka hands its message to a second worker: after a
 * rebalance, while the first still runs it; and after a crash, once the first stops beating.
 */

const slow = (ms: number) => ({ task: 'core/delay', inputs: { ms }, timeout: 30 });

describe('attempt claims', () => {
  const engine = new TestEngine();
  let claims: AttemptClaims;

  beforeAll(async () => {
    await engine.open();
    claims = new AttemptClaims(engine.connection);
    await engine.startOrchestrator();
  });

  afterAll(async () => {
    await engine.close();
  });

  it('inserts the claims asked for together in one command; a held one is refused alone', async () => {
    const { counted, commands } = await connectCountingCommands(engine.connection);
    try {
      const together = new AttemptClaims(counted);
      const prefix = `together-${Date.now()}`;
      await claims.claim(`${prefix}:held:1`, 'other-worker');
      commands.length = 0;
      const answers = await Promise.all(
        ['a', 'b', 'held', 'c'].map((node) => together.claim(`${prefix}:${node}:1`, 'this-worker')),
      );
      expect(answers).toEqual([
        { claimed: true },
        { claimed: true },
        { claimed: false, holder: 'other-worker' },
        { claimed: true },
      ]);
      // One insert for the four, then the held one's holder read.
      expect(commands).toEqual(['insert', 'find']);
      // Claiming again what this worker holds is answered as claimed.
      expect(await together.claim(`${prefix}:a:1`, 'this-worker')).toEqual({ claimed: true });
    } finally {
      await counted.close();
    }
  });

  it('takes over an attempt whose holder stopped beating, and waits while it beats', async () => {
    // The run's first attempt is claimed by a "worker" that is only this test's heartbeat.
    const ghost = `ghost-${Date.now()}`;
    let beating = true;
    const heart = setInterval(() => {
      if (beating) void claims.beat(ghost);
    }, 200);
    try {
      await claims.beat(ghost);
      const started: number[] = [];
      const timed: StepHandler = async (inputs, context) => {
        started.push(Date.now());
        return CORE_STEP_HANDLERS['core/transform']!(inputs, context);
      };
      const run = await engine.startRun({
        name: 'held',
        dag: { nodes: { h: { task: 'core/transform', inputs: { value: 'ran' } } }, edges: [] },
      });
      await claims.claim(`${run.id}:h:1`, ghost);
      await engine.startWorker({
        stepTypes: ['core/transform'],
        handlers: { 'core/transform': timed },
        holderStaleMs: 1_500,
      });
      // While the ghost beats, nobody runs its attempt.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(started).toEqual([]);
      const silentFrom = Date.now();
      beating = false;
      const done = await engine.waitForRun(run.id, undefined, 30_000);
      expect(done.status).toBe('completed');
      expect(done.nodes.h?.result).toBe('ran');
      expect(done.nodes.h?.attempt).toBe(1);
      expect(started).toHaveLength(1);
      expect(started[0]! - silentFrom).toBeGreaterThanOrEqual(1_400);
    } finally {
      clearInterval(heart);
    }
  });

  it('runs each attempt once while workers join and rebalance mid-step', async () => {
    // Few steps in flight per worker, many partitions' worth of messages uncommitted.
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
    }
    const repeated = [...engine.executions].filter(([, count]) => count > 1);
    expect(repeated).toEqual([]);
    for (const run of runs) expect(engine.executionsOf(run.id, 'a')).toBe(1);
  });

  it('drops a redelivered attempt the run no longer needs', async () => {
    const run = await engine.startRun({
      name: 'finished elsewhere',
      dag: { nodes: { f: { task: 'core/transform', inputs: { value: 1 } } }, edges: [] },
    });
    const done = await engine.waitForRun(run.id, undefined, 30_000);
    expect(done.status).toBe('completed');
    // The attempt's claim is held by whoever ran it: another claimant is refused...
    const answer = await claims.claim(`${run.id}:f:1`, 'late-worker');
    expect(answer.claimed).toBe(false);
    // ...and told the run does not need it any more, whatever its holder's heartbeat says.
    expect(await claims.attemptIsOpen(run.id, 'f', 1)).toBe(false);
    expect(await claims.attemptIsOpen(run.id, 'f', 2)).toBe(false);
  });
});
