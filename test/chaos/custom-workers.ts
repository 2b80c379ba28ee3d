/**
 * The acme workers: the example worker of examples/custom-worker (a user's own process serving
 * acme's task types with the worker SDK, @weft/worker), run beside Weft's own worker service.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceSpec } from './service-processes';

/** The example worker as the root `npx tsc -b` builds it. */
export const CUSTOM_WORKER_SCRIPT = join(
  __dirname,
  '..',
  '..',
  'examples',
  'custom-worker',
  'dist',
  'worker.js',
);

/** Its processes (serving CUSTOM_STEP_TYPES): two, so the load goes on while one is killed. */
export const CUSTOM_WORKERS = ['acme-1', 'acme-2'] as const;

/**
 * How long an acme worker's lease on an attempt lasts without a heartbeat (the SDK's default is
 * 20 s): a killed one's attempts are given up as `worker_lost` and run again after about this.
 */
export const CUSTOM_WORKER_LEASE_MS = 4_000;

/**
 * The only variables an acme worker is given (besides PATH, HOME and NODE_OPTIONS): Kafka's and
 * the worker runtime's. It runs without the database or any provider's credentials.
 */
const ALLOWED_VARIABLES =
  /^(KAFKA_[A-Z_]+|WEFT_KAFKA_[A-Z_]+|WEFT_STEP_PARTITIONS|WEFT_RESULT_PARTITIONS|WORKER_[A-Z_]+|HEALTH_PORT|LOG_LEVEL)$/;

/**
 * The spec of acme worker `name`, given `kafka` (KAFKA_BROKERS and the namespace and partition
 * counts the services use) and nothing of this program's environment. Its WORKER_ID is
 * `<name>-i<incarnation>`, its lease CUSTOM_WORKER_LEASE_MS, its Kafka session 6 s, and each
 * attempt's end is logged (debug) for the accountant. Throws if any other variable slips in.
 */
export function customWorkerSpec(name: string, kafka: Record<string, string>): ServiceSpec {
  return {
    name,
    script: CUSTOM_WORKER_SCRIPT,
    ownEnvironmentOnly: true,
    healthPort: 0,
    env: (incarnation) =>
      kafkaOnly({
        ...kafka,
        WORKER_ID: `${name}-i${incarnation}`,
        WORKER_LEASE_MS: String(CUSTOM_WORKER_LEASE_MS),
        WORKER_SESSION_TIMEOUT_MS: '6000',
        WORKER_SHUTDOWN_GRACE_MS: '5000',
        LOG_LEVEL: 'debug',
      }),
  };
}

/** `env`, or an error naming what is not Kafka's or the worker runtime's (MONGODB_URI above all). */
export function kafkaOnly(env: Record<string, string>): Record<string, string> {
  const others = Object.keys(env).filter((name) => !ALLOWED_VARIABLES.test(name));
  if (others.length > 0 || 'MONGODB_URI' in env) {
    throw new Error(`an acme worker is given Kafka's variables only, not ${others.join(', ')}`);
  }
  return env;
}

/**
 * Reads a running acme worker's environment back from /proc (where there is one) and throws if it
 * holds a database variable: what the process was really given, not what was meant.
 */
export function assertNoDatabaseVariables(name: string, pid: number | undefined): void {
  const path = `/proc/${pid}/environ`;
  if (pid === undefined || !existsSync(path)) return;
  const names = readFileSync(path, 'utf8')
    .split('\0')
    .map((entry) => entry.slice(0, entry.indexOf('=')));
  const database = names.filter((variable) => /MONGO|DATABASE/.test(variable));
  if (database.length > 0) {
    throw new Error(`${name} was started with ${database.join(', ')}: it must need Kafka only`);
  }
}
