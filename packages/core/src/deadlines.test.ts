import { fixedClock } from './clock';
import { runDeadline, stepDeadline } from './deadlines';

describe('deadlines', () => {
  const clock = fixedClock(1_700_000_000_000);

  it('adds the step timeout to now', () => {
    expect(clock.now()).toBe(1_700_000_000_000);
    expect(stepDeadline(clock, { task: 'core/delay', inputs: {}, timeout: 300 })).toBe(
      1_700_000_300_000,
    );
    expect(stepDeadline(clock, { task: 'core/delay', inputs: {}, timeout: 0.5 })).toBe(
      1_700_000_000_500,
    );
    expect(stepDeadline(clock, { task: 'core/delay', inputs: {} })).toBeUndefined();
  });

  it('adds the run timeout to the start time', () => {
    const dag = { nodes: {}, edges: [] };
    expect(runDeadline(1000, { name: 'x', timeout: 600, dag })).toBe(601_000);
    expect(runDeadline(1000, { name: 'x', dag })).toBeUndefined();
  });
});
