import { listTaskTypes } from '@weft/core';
import { runService } from '@weft/service';
import { readWorkerConfig } from './config';
import { startWorker } from './start-worker';

void runService({
  name: 'worker',
  // Every task type has a handler (a test holds createStepHandlers to that).
  readConfig: (env) =>
    readWorkerConfig(
      listTaskTypes().map((type) => type.name),
      env,
    ),
  logFields: (config) => ({ workerId: config.workerId }),
  start: (config, runtime) => startWorker(config, runtime),
  // Steps in flight get their grace period; handing back the rest and disconnecting get the rest.
  stopDeadlineMs: (config) => config.shutdownGraceMs + 10_000,
});
