import type { WorkflowDefinition } from './definition-types';
import {
  isTerminalNodeStatus,
  isTerminalRunStatus,
  runOutcome,
  statusOf,
  type RunProgress,
} from './run-progress';

const def: WorkflowDefinition = {
  name: 'r',
  dag: {
    nodes: {
      a: { task: 'core/delay', inputs: { ms: 0 } },
      b: { task: 'core/delay', inputs: { ms: 0 }, on_error: 'continue' },
      c: { task: 'core/delay', inputs: { ms: 0 } },
    },
    edges: [
      { from: 'a', to: 'b' },
      { from: 'b', to: 'c' },
    ],
  },
};

const p = (statuses: Record<string, RunProgress[string]['status']>): RunProgress =>
  Object.fromEntries(Object.entries(statuses).map(([id, status]) => [id, { status, attempt: 1 }]));

describe('runOutcome', () => {
  it('is undefined while a node can still progress', () => {
    expect(runOutcome(def, {})).toBeUndefined();
    expect(runOutcome(def, p({ a: 'running' }))).toBeUndefined();
    expect(runOutcome(def, p({ a: 'completed', b: 'retrying' }))).toBeUndefined();
    expect(runOutcome(def, p({ a: 'completed', b: 'completed' }))).toBeUndefined();
  });

  it('fails when a node with on_error fail failed', () => {
    expect(runOutcome(def, p({ a: 'failed' }))).toBe('failed');
    expect(runOutcome(def, p({ a: 'completed', b: 'completed', c: 'failed' }))).toBe('failed');
  });

  it('completes despite a continue failure, counting blocked nodes as skipped', () => {
    expect(runOutcome(def, p({ a: 'completed', b: 'failed', c: 'skipped' }))).toBe('completed');
    expect(runOutcome(def, p({ a: 'completed', b: 'failed' }))).toBe('completed');
    expect(runOutcome(def, p({ a: 'completed', b: 'completed', c: 'completed' }))).toBe(
      'completed',
    );
  });

  it('completes an empty workflow at once', () => {
    expect(runOutcome({ name: 'e', dag: { nodes: {}, edges: [] } }, {})).toBe('completed');
  });
});

describe('statuses', () => {
  it('knows which are terminal', () => {
    expect(
      ['completed', 'failed', 'skipped', 'cancelled'].every((s) =>
        isTerminalNodeStatus(s as never),
      ),
    ).toBe(true);
    expect(
      ['pending', 'queued', 'running', 'retrying'].some((s) => isTerminalNodeStatus(s as never)),
    ).toBe(false);
    expect(isTerminalRunStatus('timed_out')).toBe(true);
    expect(isTerminalRunStatus('running')).toBe(false);
  });

  it('reads own entries only', () => {
    expect(statusOf({}, 'toString')).toBe('pending');
    expect(statusOf(p({ a: 'queued' }), 'a')).toBe('queued');
  });
});
