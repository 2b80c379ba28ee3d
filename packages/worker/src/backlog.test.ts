import { Backlog, type Intake } from './backlog';

/** A backlog of named steps whose intake and starts are written down, in order. */
function backlogOf(concurrency: number) {
  const events: string[] = [];
  const counts: number[] = [];
  const intake: Intake = {
    pause: () => events.push('pause'),
    resume: () => events.push('resume'),
  };
  const backlog = new Backlog<string>(concurrency, intake, (running) => counts.push(running));
  const take = (step: string) => backlog.take(step, () => events.push(`start ${step}`));
  return { backlog, events, counts, take };
}

describe('Backlog', () => {
  it('runs up to its concurrency, queues as many again in order, and pauses when full', () => {
    const { backlog, events, counts, take } = backlogOf(2);
    take('a');
    take('b');
    take('c');
    expect(events).toEqual(['start a', 'start b']);
    take('d');
    expect(events).toEqual(['start a', 'start b', 'pause']);
    // A message already fetched when the intake paused is queued too, without pausing again.
    take('e');
    expect(events).toEqual(['start a', 'start b', 'pause']);
    expect([...backlog.running]).toEqual(['a', 'b']);
    expect([...backlog.takenSteps()]).toEqual(['a', 'b', 'c', 'd', 'e']);

    backlog.end('a');
    expect(events.slice(3)).toEqual(['start c']);
    backlog.end('b');
    expect(events.slice(3)).toEqual(['start c', 'start d', 'resume']);
    backlog.end('c');
    expect(events.slice(3)).toEqual(['start c', 'start d', 'resume', 'start e']);
    expect([...backlog.running]).toEqual(['d', 'e']);
    // Each change of how many run, as it happened: a slot freed is taken at once.
    expect(counts).toEqual([1, 2, 1, 2, 1, 2, 1, 2]);
  });

  it('resumes only once it has room for another step', () => {
    const { backlog, events, take } = backlogOf(1);
    take('a');
    take('b');
    take('c');
    expect(events).toEqual(['start a', 'pause']);
    backlog.end('a');
    expect(events).toEqual(['start a', 'pause', 'start b']);
    backlog.end('b');
    expect(events).toEqual(['start a', 'pause', 'start b', 'start c', 'resume']);
    take('d');
    expect(events.at(-1)).toBe('pause');
  });

  it('once closed, starts nothing more, never resumes, and gives back what never started', () => {
    const { backlog, events, take } = backlogOf(2);
    take('a');
    take('b');
    take('c');
    expect(backlog.close()).toEqual(['c']);
    expect(events).toEqual(['start a', 'start b', 'pause']);
    backlog.end('a');
    backlog.end('b');
    expect(events).toEqual(['start a', 'start b', 'pause']);
    expect(backlog.running.size).toBe(0);
    expect(backlog.close()).toEqual([]);
  });

  it('resolves whenIdle once the last running step ends', async () => {
    const { backlog, take } = backlogOf(2);
    await expect(backlog.whenIdle()).resolves.toBeUndefined();
    take('a');
    take('b');
    let idle = false;
    const waiting = backlog.whenIdle().then(() => (idle = true));
    backlog.end('a');
    await Promise.resolve();
    expect(idle).toBe(false);
    backlog.end('b');
    await waiting;
    expect(idle).toBe(true);
  });
});
