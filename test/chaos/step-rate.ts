import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceProcesses } from './service-processes';

/** How often the workers' step counters are read. */
const SAMPLE_MS = 1_000;

/**
 * Steps the workers finished, read every second from their metrics (`weft_step_attempts_total`,
 * every outcome), so a report can say how many steps a second the system held through a fault.
 * A restarted worker's counter starts again at 0: counts are kept per incarnation. A worker that
 * does not answer (stopped, restarting) is read when it answers again.
 */
export class StepRate {
  /** Cumulative steps finished, by sample time (epoch ms). */
  private readonly samples: { at: number; total: number }[] = [];
  private readonly lastByIncarnation = new Map<string, number>();
  private total = 0;
  private running = false;
  private loop?: Promise<void>;

  constructor(
    private readonly services: ServiceProcesses,
    private readonly workers: readonly string[],
  ) {}

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        await this.sample();
        await sleep(SAMPLE_MS);
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Steps a second finished between two times (epoch ms), from the samples nearest them. */
  rate(from: number, to: number): number | undefined {
    const at = (time: number) =>
      this.samples.reduce<{ at: number; total: number } | undefined>(
        (best, sample) =>
          best === undefined || Math.abs(sample.at - time) < Math.abs(best.at - time)
            ? sample
            : best,
        undefined,
      );
    const start = at(from);
    const end = at(to);
    if (!start || !end || end.at - start.at < SAMPLE_MS) return undefined;
    return (end.total - start.total) / ((end.at - start.at) / 1000);
  }

  private async sample(): Promise<void> {
    await Promise.all(
      this.workers.map(async (worker) => {
        const incarnation = this.services.incarnationOf(worker);
        const count = await this.read(worker);
        if (count === undefined) return;
        const last = this.lastByIncarnation.get(incarnation) ?? 0;
        this.total += Math.max(0, count - last);
        this.lastByIncarnation.set(incarnation, count);
      }),
    );
    this.samples.push({ at: Date.now(), total: this.total });
  }

  private async read(worker: string): Promise<number | undefined> {
    try {
      const response = await fetch(this.services.healthUrl(worker, '/metrics'), {
        signal: AbortSignal.timeout(800),
      });
      const text = await response.text();
      return text
        .split('\n')
        .filter((line) => line.startsWith('weft_step_attempts_total{'))
        .reduce((sum, line) => sum + Number(line.split(' ').pop() ?? 0), 0);
    } catch {
      return undefined;
    }
  }
}
