import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './paths';
import { freePort } from './ports';

/** The services a checkout builds, each `services/<name>/dist/main.js`. */
export type ServiceName = 'gateway' | 'orchestrator' | 'worker' | 'webhooks';

/**
 * Node's flags for a service, wherever it runs: `npm start`, the benchmarks and the chaos program
 * here, NODE_OPTIONS in docker-compose.yml and deploy/k8s (a test holds them to this).
 *
 * The gateway keeps little for long (requests, open streams) but allocates steadily while runs
 * are watched, and Node 24 grows the young generation to two 64 MB semi-spaces of garbage on a
 * large machine: 1,000 live streams took it to 306 MB, and to 218–275 MB with 16 MB semi-spaces,
 * for about 1% more CPU (`npm run bench:streams`).
 */
export const SERVICE_NODE_FLAGS: Readonly<Partial<Record<ServiceName, readonly string[]>>> = {
  gateway: ['--max-semi-space-size=16'],
};

/** What follows `node` on the command line that runs a built service. */
export function serviceArguments(service: ServiceName): string[] {
  return [
    ...(SERVICE_NODE_FLAGS[service] ?? []),
    join(repoRoot(), 'services', service, 'dist', 'main.js'),
  ];
}

/** A Weft service that `npm start` runs as its own process. */
export interface ServiceSpec {
  /** How its logs and restarts name it. */
  name: string;
  service: ServiceName;
  env?: Record<string, string>;
  /** Serves /healthz, /readyz and /metrics on a `HEALTH_PORT` of its own. */
  healthPort?: boolean;
}

/**
 * The specs with a free `HEALTH_PORT` each (the default 9090 suits one service per container, not
 * several on one host, where fixed ports would also collide with Kafka's 9092 and 9093).
 */
export async function withHealthPorts(specs: readonly ServiceSpec[]): Promise<ServiceSpec[]> {
  return Promise.all(
    specs.map(async (spec) =>
      spec.healthPort
        ? { ...spec, env: { ...spec.env, HEALTH_PORT: String(await freePort()) } }
        : spec,
    ),
  );
}

/**
 * The whole system: the gateway, the orchestrator, a worker pool for every handled type and the
 * webhook dispatcher.
 */
export const SYSTEM_SERVICES: readonly ServiceSpec[] = [
  { name: 'gateway', service: 'gateway' },
  // Each gets a free health port of its own when started (withHealthPorts): they share a host.
  { name: 'orchestrator', service: 'orchestrator', healthPort: true },
  {
    name: 'worker-core',
    service: 'worker',
    env: { STEP_TYPES: '*' },
    healthPort: true,
  },
  { name: 'webhooks', service: 'webhooks', healthPort: true },
];

/**
 * Runs services as child processes with their output prefixed by their name, and restarts one that
 * dies (after a second), as an orchestrator of processes would in production.
 */
export class Supervisor {
  private readonly children = new Map<string, ChildProcess>();
  private stopping = false;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly log: (line: string) => void,
  ) {}

  start(spec: ServiceSpec): void {
    const child = spawn(process.execPath, serviceArguments(spec.service), {
      env: { ...this.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.set(spec.name, child);
    const prefix = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim()) process.stderr.write(`[${spec.name}] ${line}\n`);
      }
    };
    child.stdout?.on('data', prefix);
    child.stderr?.on('data', prefix);
    child.once('exit', (code, signal) => {
      this.children.delete(spec.name);
      if (this.stopping) return;
      this.log(`${spec.name} exited (${signal ?? code}); restarting it in 1 s`);
      setTimeout(() => {
        if (!this.stopping) this.start(spec);
      }, 1_000);
    });
  }

  /** SIGTERM to every service, then SIGKILL to any still running after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    this.stopping = true;
    const exits = [...this.children.values()].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), graceMs).unref();
        }),
    );
    await Promise.all(exits);
  }
}
