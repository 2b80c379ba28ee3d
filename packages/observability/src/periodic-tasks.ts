import type { Logger } from './logger';

/**
 * A service's background loops: each task runs every so often, never twice at once (a slow run
 * skips the ticks it overlaps), and a failure is logged rather than thrown, so a database away for
 * a moment does not end the loop.
 */
export class PeriodicTasks {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly log: Logger) {}

  /** Runs `task` every `ms` from now until `stop`. */
  every(ms: number, task: () => Promise<void>): void {
    let busy = false;
    this.timers.push(
      setInterval(() => {
        if (busy || this.stopped) return;
        busy = true;
        const run = task()
          .catch((error: unknown) => this.log.warn('periodic task failed', { error }))
          .finally(() => {
            busy = false;
            this.running.delete(run);
          });
        this.running.add(run);
      }, ms),
    );
  }

  /** Starts no task again, and resolves once the runs under way have ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    await Promise.allSettled([...this.running]);
  }
}
