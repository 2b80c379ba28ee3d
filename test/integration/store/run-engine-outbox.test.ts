import { engineTopics, stepTopic } from '@weft/core';
import { ensureTopics, type KafkaConsumer, type KafkaProducer } from '@weft/kafka';
import { DefinitionStore, OutboxPublisher, RunEngine, RunStore } from '@weft/store';
import { TestEngine } from '../../support/engine';
import { chainDefinition, stepSucceeded } from '../../support/run-fixtures';
import { connectCountingCommands, uniqueName, waitFor } from '../../support/test-infrastructure';

/**
 * The outbox of a run as its engine writes, publishes and clears it: at once (the gateway), or in
 * the run's next change (the orchestrator, one write per step). Either way the sweeper finds every
 * message left unpublished, and nothing is published twice.
 */

const chain = chainDefinition(['a', 'b', 'c']);

/** Started as the orchestrator starts it, but flushed only by stop: each test says when. */
const FLUSHED_AT_STOP = { sweepAfterMs: 3_600_000, flushEveryMs: 3_600_000 };

/** A real producer that can be made to refuse sends, as a broker outage would. */
function breakable(producer: KafkaProducer): KafkaProducer & { broken: boolean } {
  return {
    broken: false,
    async send(topic, messages) {
      if (this.broken) throw new Error('broker unavailable (injected)');
      await producer.send(topic, messages);
    },
    disconnect: () => producer.disconnect(),
  };
}

describe('the run outbox', () => {
  const engine = new TestEngine();
  const executes: string[] = [];
  let consumer: KafkaConsumer;
  let producer: KafkaProducer;

  beforeAll(async () => {
    await engine.open();
    await ensureTopics(engine.kafka, engineTopics({ steps: 2, results: 2 }));
    producer = await engine.kafka.producer();
    consumer = await engine.kafka.consumer({
      groupId: uniqueName('executes'),
      topics: [stepTopic('core/transform')],
      fromBeginning: true,
    });
    await consumer.run(async (message) => {
      const parsed = JSON.parse(message.value.toString()) as { runId: string; nodeId: string };
      executes.push(`${parsed.runId}:${parsed.nodeId}`);
    });
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
    await engine.close();
  });

  const engineWith = (publisherProducer: KafkaProducer) =>
    new RunEngine(
      engine.runs,
      new DefinitionStore(engine.connection),
      new OutboxPublisher(engine.connection, publisherProducer),
    );
  const outboxOf = async (runId: string) => {
    const stored = await engine.runs.getById(runId);
    return { ids: Object.keys(stored?.outbox ?? {}), outboxAt: stored?.outboxAt };
  };
  const create = (runs: RunEngine) =>
    runs.create({
      appId: 'app_test',
      definition: chain,
      workflow: { ephemeral: true, name: chain.name },
      input: {},
    });

  it('clears published messages in the run’s next write, and the rest when flushed', async () => {
    const runs = engineWith(producer);
    runs.start(FLUSHED_AT_STOP);
    const { run } = await create(runs);
    // Published, and still in the document until the run changes.
    expect((await outboxOf(run.id)).ids).toHaveLength(1);
    await runs.applyStepResult(stepSucceeded(run.id, 'a'));
    // The same write removed a's message and added b's.
    const afterA = await outboxOf(run.id);
    expect(afterA.ids).toHaveLength(1);
    expect(afterA.outboxAt).toBeDefined();
    await runs.stop();
    expect(await outboxOf(run.id)).toEqual({ ids: [], outboxAt: undefined });
    await waitFor('both steps on the topic', async () =>
      executes.filter((key) => key.startsWith(run.id)).length >= 2 ? true : undefined,
    );
    // Nothing more arrives: the sweeper had nothing to publish again.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(executes.filter((key) => key.startsWith(run.id)).sort()).toEqual([
      `${run.id}:a`,
      `${run.id}:b`,
    ]);
  });

  it('flushes the runs it last wrote in one database command, and a run changed since alone', async () => {
    const { counted, commands } = await connectCountingCommands(engine.connection);
    try {
      const gateway = engineWith(producer);
      const orchestrator = new RunEngine(
        new RunStore(counted),
        new DefinitionStore(counted),
        new OutboxPublisher(counted, producer),
      );
      orchestrator.start(FLUSHED_AT_STOP);
      const created = await Promise.all([create(gateway), create(gateway), create(gateway)]);
      const ids = created.map(({ run }) => run.id);
      for (const id of ids) await orchestrator.applyStepResult(stepSucceeded(id, 'a'));
      for (const id of ids) expect((await outboxOf(id)).ids).toHaveLength(1);

      commands.length = 0;
      await orchestrator.stop();
      expect(commands).toEqual(['update']);
      for (const id of ids) expect(await outboxOf(id)).toEqual({ ids: [], outboxAt: undefined });

      // Another writer moves one run on before the flush: that one is cleared on its own.
      orchestrator.start(FLUSHED_AT_STOP);
      for (const id of ids) await orchestrator.applyStepResult(stepSucceeded(id, 'b'));
      const [raced] = ids;
      await gateway.applyStepResult(stepSucceeded(raced!, 'c'));
      await orchestrator.stop();
      for (const id of ids) expect(await outboxOf(id)).toEqual({ ids: [], outboxAt: undefined });
      expect((await engine.runs.getById(raced!))?.status).toBe('completed');
    } finally {
      await counted.close();
    }
  });

  it('clears, rather than publishes again, what it published when its sweeper finds it', async () => {
    const runs = engineWith(producer);
    runs.start(FLUSHED_AT_STOP);
    const { run } = await create(runs);
    const stored = await engine.runs.getById(run.id);
    expect(Object.keys(stored?.outbox ?? {})).toHaveLength(1);
    await runs.publishOutbox(stored!);
    expect(await outboxOf(run.id)).toEqual({ ids: [], outboxAt: undefined });
    await runs.stop();
    await waitFor('the first step on the topic', async () =>
      executes.includes(`${run.id}:a`) ? true : undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(executes.filter((key) => key.startsWith(run.id))).toEqual([`${run.id}:a`]);
  });

  it('marks an unpublished message for the sweeper even after an earlier clear (cached run)', async () => {
    const flaky = breakable(producer);
    const runs = engineWith(flaky);
    const { run } = await create(runs);
    // a's report is written (the engine keeps that version) and b's message published and cleared.
    await runs.applyStepResult(stepSucceeded(run.id, 'a'));
    expect(await outboxOf(run.id)).toEqual({ ids: [], outboxAt: undefined });
    flaky.broken = true;
    await runs.applyStepResult(stepSucceeded(run.id, 'b'));
    const waiting = await outboxOf(run.id);
    expect(waiting.ids).toHaveLength(1);
    expect(waiting.outboxAt).toBeDefined();
    const stale = await engine.runs.staleOutboxes(Date.now() + 1, 1_000);
    expect(stale.map((found) => found.id)).toContain(run.id);
  });

  it('keeps a message the broker refused when clearing later, for the sweeper', async () => {
    const flaky = breakable(producer);
    const runs = engineWith(flaky);
    runs.start(FLUSHED_AT_STOP);
    flaky.broken = true;
    const { run } = await create(runs);
    await runs.stop();
    const waiting = await outboxOf(run.id);
    expect(waiting.ids).toHaveLength(1);
    expect(waiting.outboxAt).toBeDefined();
  });
});
