// A worker of your own: it serves acme's task types, reading its settings from the environment
// as Weft's services do. It needs the Kafka brokers only (KAFKA_BROKERS), never MongoDB.
//
//   KAFKA_BROKERS=127.0.0.1:9092 npm start -w @weft/example-custom-worker

import { createWorker, workerSettingsFromEnv } from '@weft/worker';
import { slowEcho, wordCount } from './task-types';

const worker = createWorker({ ...workerSettingsFromEnv(), taskTypes: [wordCount, slowEcho] });

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    // Steps running get the grace period; the rest are handed back and run elsewhere at once.
    void worker.stop().then(() => process.exit(0));
  });
}

worker.start().then(
  () => process.stderr.write('acme worker ready: serving acme/word-count and acme/slow-echo\n'),
  (error: unknown) => {
    process.stderr.write(`acme worker could not start: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
