import type { BaseConfig } from '@weft/config';
import {
  createLogger,
  startHealthServer,
  startTracing,
  WeftMetrics,
  type LogFields,
  type Logger,
  type ReadinessCheck,
} from '@weft/observability';
import type { ServiceDeps } from './service-deps';
import { StartedParts } from './started-parts';

/** What runService hands a service's start: every dependency but its Kafka client and database. */
export type ServiceRuntime = Required<
  Pick<ServiceDeps, 'log' | 'metrics' | 'parts' | 'serveHealth'>
>;

/** One service, as runService runs it. */
export interface ServiceDefinition<C extends BaseConfig> {
  /** `gateway`, `worker`…: the logs' `service`, the process title `weft-<name>`, the traces' name. */
  name: string;
  /** Reads the configuration from the environment; whatever it throws stops the service (exit 2). */
  readConfig(env: NodeJS.ProcessEnv): C;
  /** Starts the service, recording each part in `runtime.parts` as it starts. */
  start(config: C, runtime: ServiceRuntime): Promise<unknown>;
  /** Fields on every log line, such as the worker's id. Default: none. */
  logFields?(config: C): LogFields;
  /** How long a graceful stop may take before the process exits anyway. Default: 20000 ms. */
  stopDeadlineMs?(config: C): number;
}

/** How long a graceful stop may take by default: well inside Kubernetes' 30 s grace period. */
export const DEFAULT_STOP_DEADLINE_MS = 20_000;

/** What a service's process exits with. */
export const EXIT_CODES = Object.freeze({
  /** Stopped by a signal, everything closed. */
  stopped: 0,
  /** It could not start, a part failed to stop, the stop outran its deadline, or a second signal. */
  failed: 1,
  /** Its configuration is wrong: restarting it changes nothing until that is fixed. */
  badConfig: 2,
});

/**
 * Runs a service process: reads its configuration (a problem is one line on stderr and exit 2),
 * starts tracing, metrics and the service, which may serve `/healthz`, `/readyz` and `/metrics` on
 * `HEALTH_PORT` (behind `METRICS_TOKEN`). SIGTERM or SIGINT stops the parts, the last started
 * first, and exits 0; a second signal exits 1 at once, as does a stop that outlasts its deadline.
 * If starting fails, what had started is stopped and the process exits 1.
 */
export async function runService<C extends BaseConfig>(
  service: ServiceDefinition<C>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  // Named in the process list, so an operator sees which service a pid is.
  process.title = `weft-${service.name}`;
  let config: C;
  try {
    config = service.readConfig(env);
  } catch (error) {
    process.stderr.write(
      `${service.name}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return process.exit(EXIT_CODES.badConfig);
  }
  const fields = service.logFields?.(config);
  const log = createLogger(service.name, {
    level: config.logLevel,
    ...(fields ? { base: fields } : {}),
  });
  const parts = new StartedParts();
  const tracing = startTracing(service.name, env);
  parts.add('tracing', () => tracing.shutdown());
  const metrics = new WeftMetrics(service.name);
  const serveHealth = async (checks: Record<string, ReadinessCheck>) => {
    const health = await startHealthServer({
      port: config.healthPort,
      metrics,
      checks,
      ...(config.metricsToken === undefined ? {} : { metricsToken: config.metricsToken }),
    });
    parts.add('health server', () => health.close());
    log.info('health endpoints', { port: health.port });
  };
  const stop = stopOnce(parts, log, service.stopDeadlineMs?.(config) ?? DEFAULT_STOP_DEADLINE_MS);

  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      log.warn('second signal: exiting at once', { signal });
      process.exit(EXIT_CODES.failed);
    }
    signalled = true;
    log.info('stopping', { signal });
    void stop().then((clean) => {
      if (clean) log.info('stopped');
      else log.error('stop failed');
      process.exit(clean ? EXIT_CODES.stopped : EXIT_CODES.failed);
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  try {
    await service.start(config, { log, metrics, parts, serveHealth });
  } catch (error) {
    // A signal during start stops the parts itself; what start then throws is its consequence.
    if (signalled) return;
    log.error('failed to start', { error });
    await stop();
    process.exit(EXIT_CODES.failed);
  }
}

/** Stops the parts once, however often it is called; past the deadline, exits the process. */
function stopOnce(parts: StartedParts, log: Logger, deadlineMs: number): () => Promise<boolean> {
  let stopping: Promise<boolean> | undefined;
  return () => {
    stopping ??= (async () => {
      const deadline = setTimeout(() => {
        log.error('stop deadline passed: exiting', { deadlineMs, parts: parts.names });
        process.exit(EXIT_CODES.failed);
      }, deadlineMs);
      try {
        return await parts.stopAll(log);
      } finally {
        clearTimeout(deadline);
      }
    })();
    return stopping;
  };
}
