#!/usr/bin/env node
import { runService } from '@weft/service';
import { readGatewayConfig } from './config';
import { startGateway } from './server';

void runService({
  name: 'gateway',
  readConfig: readGatewayConfig,
  start: async (config, runtime) => {
    const gateway = await startGateway(config, runtime);
    runtime.log.info('listening', { url: gateway.url, publicUrl: config.publicUrl });
  },
  // Requests in flight get their grace period; disconnecting gets the rest.
  stopDeadlineMs: (config) => config.shutdownGraceMs + 10_000,
});
