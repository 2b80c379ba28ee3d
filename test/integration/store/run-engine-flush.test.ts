import { engineTopics } from '@weft/core';
import { ensureTopics, type KafkaProducer } from '@weft/kafka';
import { DefinitionStore, OutboxPublisher, RunEngine, RunStore } from '@weft/store';
import { TestEngine } from '../../support/engine';
import { chainDefinition, stepSucceeded } from '../../support/run-fixtures';
import { connectCountingCommands, waitFor } from '../../support/test-infrastructure';

/**
 * A started engine owns its deferred outbox clears: what it published and no later write removed
 * is cleared by its own timer, well before the sweeper would publish it again, with no caller
 * asking; its stop clears the rest. Nobody has an obligation to remember.
 */

const chain = chainDefinition(['a', 'b', 'c']);

describe('the engine’s own flush of published outboxes', () => {
  const engine = new TestEngine();
  let producer: KafkaProducer;

  beforeAll(async () => {
    await engine.open();
    await ensureTopics(engine.kafka, engineTopics({ steps: 2, results: 2 }));
    producer = await engine.kafka.producer();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await engine.close();
  });

  const engineOn = (store: RunStore) =>
    new RunEngine(
      store,
      new DefinitionStore(engine.connection),
      new OutboxPublisher(engine.connection, producer),
    );
  const create = (runs: RunEngine) =>
    runs.create({
      appId: 'app_test',
      definition: chain,
      workflow: { ephemeral: true, name: chain.name },
      input: {},
    });
  const outboxOf = async (runId: string) => {
    const stored = await engine.runs.getById(runId);
    return { ids: Object.keys(stored?.outbox ?? {}), outboxAt: stored?.outboxAt };
  };
  const cleared = { ids: [], outboxAt: undefined };

  it('clears what it published on its own timer, within a quarter of the sweep age', async () => {
    const { counted, commands } = await connectCountingCommands(engine.connection);
    const sweepAfterMs = 4_000;
    const runs = engineOn(new RunStore(counted));
    try {
      // A flush asked for once an hour still comes every quarter of the sweeper's age (1 s).
      runs.start({ sweepAfterMs, flushEveryMs: 3_600_000 });
      const { run } = await create(runs);
      // Published, and left in the document for the run's next write.
      expect((await outboxOf(run.id)).ids).toHaveLength(1);
      await runs.applyStepResult(stepSucceeded(run.id, 'a'));

      // A step of a run the engine wrote last: one write, which removes b's published message
      // and adds c's.
      commands.length = 0;
      await runs.applyStepResult(stepSucceeded(run.id, 'b'));
      const publishedAt = Date.now();
      expect(commands).toEqual(['update']);
      const waiting = await outboxOf(run.id);
      expect(waiting.ids).toHaveLength(1);
      expect(waiting.outboxAt).toBeDefined();

      // Nobody flushes: the engine's timer does, long before the sweeper would take it.
      await waitFor(
        'the published outbox cleared',
        async () => ((await outboxOf(run.id)).ids.length === 0 ? true : undefined),
        { timeoutMs: sweepAfterMs, intervalMs: 20 },
      );
      expect(Date.now() - publishedAt).toBeLessThan(sweepAfterMs);
      expect(await outboxOf(run.id)).toEqual(cleared);
      // The step's write, then the flush's: one bulk write for every run waiting.
      expect(commands).toEqual(['update', 'update']);
    } finally {
      await runs.stop();
      await counted.close();
    }
  });

  it('flushes what is waiting when stopped, and clears as it publishes from then on', async () => {
    const runs = engineOn(engine.runs);
    runs.start({ sweepAfterMs: 3_600_000, flushEveryMs: 3_600_000 });
    const created = await Promise.all([create(runs), create(runs), create(runs)]);
    for (const { run } of created) expect((await outboxOf(run.id)).ids).toHaveLength(1);

    await runs.stop();
    for (const { run } of created) expect(await outboxOf(run.id)).toEqual(cleared);

    const { run: after } = await create(runs);
    expect(await outboxOf(after.id)).toEqual(cleared);
    await runs.applyStepResult(stepSucceeded(after.id, 'a'));
    expect(await outboxOf(after.id)).toEqual(cleared);
  });

  it('defers until the last of its starters stops (two orchestrators sharing it)', async () => {
    const runs = engineOn(engine.runs);
    const longFlush = { sweepAfterMs: 3_600_000, flushEveryMs: 3_600_000 };
    runs.start(longFlush);
    runs.start(longFlush);
    const { run } = await create(runs);

    await runs.stop();
    expect((await outboxOf(run.id)).ids).toHaveLength(1);
    await runs.applyStepResult(stepSucceeded(run.id, 'a'));
    expect((await outboxOf(run.id)).ids).toHaveLength(1);

    await runs.stop();
    expect(await outboxOf(run.id)).toEqual(cleared);
    // A stop more than the starts changes nothing.
    await runs.stop();
  });
});
