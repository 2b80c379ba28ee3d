import type { Logger } from './logger';
import { PeriodicTasks } from './periodic-tasks';

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const log: Logger & { warnings: string[] } = {
    warnings,
    debug: () => undefined,
    info: () => undefined,
    warn: (msg) => warnings.push(msg),
    error: () => undefined,
    child: () => log,
  };
  return log;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('PeriodicTasks', () => {
  it('runs a task again and again, never two runs of it at once', async () => {
    const tasks = new PeriodicTasks(recordingLogger());
    let now = 0;
    let most = 0;
    let runs = 0;
    tasks.every(5, async () => {
      most = Math.max(most, ++now);
      runs++;
      await sleep(20);
      now--;
    });
    await sleep(150);
    await tasks.stop();
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(most).toBe(1);
  });

  it('logs a failed run and goes on', async () => {
    const log = recordingLogger();
    const tasks = new PeriodicTasks(log);
    let runs = 0;
    tasks.every(5, async () => {
      runs++;
      throw new Error('the database is away');
    });
    await sleep(60);
    await tasks.stop();
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(log.warnings.length).toBe(runs);
    expect(new Set(log.warnings)).toEqual(new Set(['periodic task failed']));
  });

  it('on stop, waits for the run under way and starts none after', async () => {
    const tasks = new PeriodicTasks(recordingLogger());
    let ended = 0;
    let started = 0;
    tasks.every(5, async () => {
      started++;
      await sleep(50);
      ended++;
    });
    await sleep(20);
    await tasks.stop();
    expect(started).toBe(1);
    expect(ended).toBe(1);
    await sleep(30);
    expect(started).toBe(1);
  });
});
