import { engineTopics } from '@weft/core';
import { ensureTopics, type KafkaProducer } from '@weft/kafka';
import { DefinitionStore, OutboxPublisher, RunEngine, RunStore } from '@weft/store';
import { TestEngine } from '../../support/engine';
import { chainDefinition, stepSucceeded } from '../../support/run-fixtures';

/**
 * A watcher's second read of a run: without its input, its outbox and the nodes it names as
 * settled, so following a long run does not read its finished part again at every change.
 */

const chain = chainDefinition(['a', 'b', 'c']);

describe('reading a run again', () => {
  const engine = new TestEngine();
  let producer: KafkaProducer;
  let store: RunStore;
  let runEngine: RunEngine;

  beforeAll(async () => {
    await engine.open();
    await ensureTopics(engine.kafka, engineTopics({ steps: 1, results: 1 }));
    producer = await engine.kafka.producer();
    store = new RunStore(engine.connection);
    runEngine = new RunEngine(
      store,
      new DefinitionStore(engine.connection),
      new OutboxPublisher(engine.connection, producer),
    );
  });

  afterAll(async () => {
    await producer?.disconnect();
    await engine.close();
  });

  it('leaves out the input, the outbox and the settled nodes, and keeps the rest as a full read', async () => {
    const { run } = await runEngine.create({
      appId: 'app_test',
      definition: chain,
      workflow: { ephemeral: true, name: chain.name },
      input: { topic: 'a large input a watcher has already read' },
    });
    await runEngine.applyStepResult(stepSucceeded(run.id, 'a'));

    const full = await store.get('app_test', run.id);
    const again = await store.reread('app_test', run.id, ['a']);

    expect(full?.nodes.a?.status).toBe('completed');
    expect(again).toBeDefined();
    expect(Object.keys(again!.nodes).sort()).toEqual(['b', 'c']);
    expect(again).not.toHaveProperty('input');
    expect(again).not.toHaveProperty('outbox');
    const { input: _input, outbox: _outbox, nodes, ...rest } = full!;
    expect(again).toEqual({ ...rest, nodes: { b: nodes.b, c: nodes.c } });
  });

  it("answers another app's run, or none, as missing", async () => {
    const { run } = await runEngine.create({
      appId: 'app_test',
      definition: chain,
      workflow: { ephemeral: true, name: chain.name },
      input: {},
    });
    expect(await store.reread('app_other', run.id, [])).toBeUndefined();
    expect(await store.reread('app_test', 'run_missing', [])).toBeUndefined();
  });
});
