import { engineTopics } from '@weft/core';
import { ensureTopics, type KafkaProducer } from '@weft/kafka';
import { DefinitionStore, OutboxPublisher, RunEngine, RunStore } from '@weft/store';
import type { Connection } from 'mongoose';
import { TestEngine } from './engine';
import { connectCountingCommands } from './test-infrastructure';

/**
 * Run engines on the test broker and database, as the services run them, for a describe block
 * (it registers its own hooks): `engineOn` as the gateway's, `orchestratorOn` as the
 * orchestrator's (started, its flush left to its stop at the test's end, so that the commands
 * counted are the test's own). `counted` is a second connection that records, in `commands`,
 * the name of every database command sent on it.
 */
export function runEngines() {
  const engine = new TestEngine();
  const started: RunEngine[] = [];
  const harness = {
    engine,
    counted: undefined as unknown as Connection,
    commands: [] as string[],
    engineOn: (connection: Connection) =>
      new RunEngine(
        new RunStore(connection),
        new DefinitionStore(connection),
        new OutboxPublisher(connection, producer),
      ),
    orchestratorOn: (connection: Connection) => {
      const orchestrator = harness.engineOn(connection);
      orchestrator.start({ sweepAfterMs: 3_600_000, flushEveryMs: 3_600_000 });
      started.push(orchestrator);
      return orchestrator;
    },
  };
  let producer: KafkaProducer;

  beforeAll(async () => {
    await engine.open();
    await ensureTopics(engine.kafka, engineTopics({ steps: 1, results: 1 }));
    producer = await engine.kafka.producer();
    const counting = await connectCountingCommands(engine.connection);
    harness.counted = counting.counted;
    harness.commands = counting.commands;
  });

  afterEach(async () => {
    for (const orchestrator of started.splice(0)) await orchestrator.stop();
  });

  afterAll(async () => {
    await harness.counted?.close();
    await producer?.disconnect();
    await engine.close();
  });

  return harness;
}
