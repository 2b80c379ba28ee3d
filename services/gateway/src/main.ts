#!/usr/bin/env node
import { ConfigError } from '@weft/config';
import { createLogger, startTracing } from '@weft/observability';
import { readGatewayConfig, type GatewayConfig } from './config';
import { startGateway } from './server';

/** Starts the gateway from the environment; SIGTERM or SIGINT stops it gracefully, twice at once. */
// Named in the process list, so an operator sees which service a pid is.
process.title = 'weft-gateway';

async function main(): Promise<void> {
  let config: GatewayConfig;
  try {
    config = readGatewayConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`gateway: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger('gateway', { level: config.logLevel });
  const tracing = startTracing('gateway');
  const gateway = await startGateway(config, logger);
  logger.info('listening', { url: gateway.url, publicUrl: config.publicUrl });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn('second signal: exiting at once', { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info('shutting down', { signal });
    gateway
      .close()
      .then(() => tracing.shutdown())
      .then(
        () => {
          logger.info('stopped');
          process.exit(0);
        },
        (error: unknown) => {
          logger.error('shutdown failed', { error });
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  createLogger('gateway').error('failed to start', { error });
  process.exit(1);
});
