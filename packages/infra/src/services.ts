import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './paths';

/** A Weft service that `npm start` runs as its own process. */
export interface ServiceSpec {
  name: string;
  /** The built entry point, relative to the checkout. */
  main: string;
  env?: Record<string, string>;
}

/**
 * The whole system: the gateway, the orchestrator, a worker pool for every handled type and the
 * webhook dispatcher.
 */
export const SYSTEM_SERVICES: readonly ServiceSpec[] = [
  { name: 'gateway', main: 'services/gateway/dist/main.js' },
  // Each on a health port of its own: they share one host here.
  {
    name: 'orchestrator',
    main: 'services/orchestrator/dist/main.js',
    env: { HEALTH_PORT: '9091' },
  },
  {
    name: 'worker-core',
    main: 'services/worker/dist/main.js',
    env: { STEP_TYPES: '*', HEALTH_PORT: '9092' },
  },
  { name: 'webhooks', main: 'services/webhooks/dist/main.js', env: { HEALTH_PORT: '9093' } },
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
    const child = spawn(process.execPath, [join(repoRoot(), spec.main)], {
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
