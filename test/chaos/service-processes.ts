import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { serviceArguments, type ServiceName } from '@weft/infra';

/**
 * One process of the system under test: a built `services/<service>/dist/main.js`, or another
 * built program (`script`), such as a user's worker.
 */
export interface ServiceSpec {
  /** Unique here, e.g. `worker-1`. */
  name: string;
  /** The built service to run, when `script` is not given. */
  service?: ServiceName;
  /** A built JavaScript file to run instead of a service. */
  script?: string;
  /**
   * Start from an environment holding `env` and PATH, HOME and NODE_OPTIONS only, not this
   * program's: for a process that must not see what the services are given. Default: false.
   */
  ownEnvironmentOnly?: boolean;
  /** Where `/readyz` and `/metrics` answer: HEALTH_PORT, or the gateway's PORT. */
  healthPort: number;
  /** The environment of incarnation `n` (1 for the first start); `''` unsets a variable. */
  env: (incarnation: number) => Record<string, string>;
}

/** A process that exited although nobody here stopped it. */
export interface UnplannedExit {
  name: string;
  incarnation: number;
  at: number;
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Slot {
  spec: ServiceSpec;
  child?: ChildProcess;
  incarnation: number;
  /** Set while this program means the process to die (a fault, or the end of the run). */
  expectingExit: boolean;
  stopped: boolean;
}

/**
 * Runs the services as child processes, their output in `<logDir>/<name>.log`. A process that dies
 * unplanned is restarted after a second, as a process supervisor would in production, and the exit
 * is recorded; faults kill, stop and continue processes through this class.
 */
export class ServiceProcesses {
  private readonly slots = new Map<string, Slot>();
  readonly unplannedExits: UnplannedExit[] = [];
  private shuttingDown = false;

  constructor(
    private readonly logDir: string,
    private readonly log: (line: string) => void,
  ) {}

  add(spec: ServiceSpec): void {
    this.slots.set(spec.name, { spec, incarnation: 0, expectingExit: false, stopped: false });
  }

  /** `<name>#<incarnation>` of the process running now. */
  incarnationOf(name: string): string {
    return `${name}#${this.slot(name).incarnation}`;
  }

  pid(name: string): number | undefined {
    return this.slot(name).child?.pid;
  }

  /** Every pid running now, for a last-resort kill when this program dies. */
  pids(): number[] {
    return [...this.slots.values()]
      .map((slot) => slot.child?.pid)
      .filter((pid): pid is number => pid !== undefined);
  }

  healthUrl(name: string, path: string): string {
    return `http://127.0.0.1:${this.slot(name).spec.healthPort}${path}`;
  }

  start(name: string): void {
    const slot = this.slot(name);
    slot.incarnation += 1;
    slot.expectingExit = false;
    slot.stopped = false;
    const incarnation = slot.incarnation;
    const out = openSync(join(this.logDir, `${name}.log`), 'a');
    try {
      const child = spawn(process.execPath, programArguments(slot.spec), {
        env: environment(slot.spec.env(incarnation), slot.spec.ownEnvironmentOnly ?? false),
        stdio: ['ignore', out, out],
        // A process group of its own. In this program's group, a stopped service dies when the
        // group is orphaned: the kernel then sends every stopped member SIGHUP, which ended a
        // SIGSTOP fault as a kill. This program still kills its children when it exits.
        detached: true,
      });
      slot.child = child;
      child.once('exit', (code, signal) => {
        if (slot.child === child) slot.child = undefined;
        if (slot.expectingExit || this.shuttingDown) return;
        this.unplannedExits.push({ name, incarnation, at: Date.now(), code, signal });
        this.log(
          `!! ${name}#${incarnation} exited unplanned (${signal ?? code}); restarting in 1 s`,
        );
        setTimeout(() => {
          if (!this.shuttingDown && !slot.child) this.start(name);
        }, 1_000).unref();
      });
    } finally {
      closeSync(out);
    }
  }

  /** Sends `signal` and waits for the exit; the caller restarts the service when it wants. */
  async kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const slot = this.slot(name);
    const child = slot.child;
    if (!child) return;
    slot.expectingExit = true;
    const exited = once(child, 'exit');
    if (slot.stopped) child.kill('SIGCONT');
    child.kill(signal);
    await exited;
  }

  /** SIGSTOP: the process freezes with its sockets open, as a long GC pause or a hung VM would. */
  pause(name: string): void {
    const slot = this.slot(name);
    if (!slot.child) throw new Error(`${name} is not running`);
    slot.stopped = true;
    slot.child.kill('SIGSTOP');
  }

  resume(name: string): void {
    const slot = this.slot(name);
    slot.stopped = false;
    slot.child?.kill('SIGCONT');
  }

  /** Resolves once `/readyz` answers 200, or rejects after `timeoutMs`. */
  async waitReady(name: string, timeoutMs = 90_000): Promise<number> {
    const started = Date.now();
    const url = this.healthUrl(name, '/readyz');
    while (Date.now() - started < timeoutMs) {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
        await response.text();
        if (response.status === 200) return Date.now() - started;
      } catch {
        // Not listening yet.
      }
      await sleep(200);
    }
    throw new Error(`${name} was not ready within ${timeoutMs} ms (see its log)`);
  }

  /** SIGTERM to everything, SIGKILL after `graceMs`. */
  async stopAll(graceMs = 10_000): Promise<void> {
    this.shuttingDown = true;
    await Promise.all(
      [...this.slots.values()].map(async (slot) => {
        const child = slot.child;
        if (!child) return;
        const exited = once(child, 'exit');
        if (slot.stopped) child.kill('SIGCONT');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  private slot(name: string): Slot {
    const slot = this.slots.get(name);
    if (!slot) throw new Error(`no service ${name}`);
    return slot;
  }
}

/** What a process started with `ownEnvironmentOnly` keeps of this one's environment. */
const OWN_ENVIRONMENT_KEPT = ['PATH', 'HOME', 'NODE_OPTIONS'] as const;

/** What `node` is given to run a spec: its script, or its service's entry point and flags. */
function programArguments(spec: ServiceSpec): string[] {
  if (spec.script !== undefined) return [spec.script];
  if (spec.service === undefined) throw new Error(`${spec.name}: neither a service nor a script`);
  return serviceArguments(spec.service);
}

/**
 * This process's environment (or only what OWN_ENVIRONMENT_KEPT names of it) with `overrides`;
 * an empty override unsets the variable.
 */
function environment(overrides: Record<string, string>, ownOnly: boolean): NodeJS.ProcessEnv {
  const inherited: NodeJS.ProcessEnv = ownOnly
    ? Object.fromEntries(OWN_ENVIRONMENT_KEPT.map((name) => [name, process.env[name]]))
    : process.env;
  const env: NodeJS.ProcessEnv = { ...inherited, ...overrides };
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || (value === '' && name in overrides)) delete env[name];
  }
  return env;
}
