import { createKafkajsClient } from '@weft/kafka';
import { createLogger } from '@weft/observability';
import { CORE_STEP_HANDLERS } from '@weft/steps';
import { readWorkerConfig } from './config';
import { Worker } from './worker';

// Named in the process list, so an operator sees which service a pid is.
process.title = 'weft-worker';

async function main(): Promise<void> {
  const handlers = CORE_STEP_HANDLERS;
  const config = readWorkerConfig(Object.keys(handlers));
  const log = createLogger('worker', {
    level: config.logLevel,
    base: { workerId: config.workerId },
  });
  const kafka = createKafkajsClient({
    brokers: [...config.kafkaBrokers],
    clientId: `weft-worker-${config.workerId}`,
    ...(config.kafkaNamespace ? { namespace: config.kafkaNamespace } : {}),
  });
  const worker = new Worker(kafka, handlers, config, log);
  await worker.start();
  const stop = (signal: string) => {
    log.info('stopping', { signal });
    worker.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error('stop failed', { error });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`worker: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
