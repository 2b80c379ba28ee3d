import type { StoredRun } from '@weft/store';
import { runSummaryView, runView } from './run-view';

const at = (seconds: number) => Date.UTC(2030, 0, 1, 0, 0, seconds);

function run(overrides: Partial<StoredRun> = {}): StoredRun {
  return {
    id: 'run_1',
    appId: 'app_1',
    status: 'running',
    region: 'global',
    input: { prompt: 'a cat' },
    nodes: {
      a: {
        status: 'completed',
        attempt: 1,
        attemptBase: 0,
        queuedAt: at(0),
        startedAt: at(1),
        finishedAt: at(3),
        result: { text: 'hi' },
        workerId: 'w1',
      },
      b: { status: 'pending', attempt: 0, attemptBase: 0 },
    },
    createdAt: at(0),
    startedAt: at(1),
    v: 3,
    definitionId: 'def_1',
    workflow: { slug: 'greet', version: 2, ephemeral: false, name: 'Greet', id: 'wf_1' },
    updatedAt: at(3),
    outbox: { m1: { topic: 't', key: 'run_1', value: '{}', at: at(3) } },
    ...overrides,
  };
}

describe('runView', () => {
  it('shows times as ISO-8601 and leaves out engine internals', () => {
    const view = runView(run(), 'http://x/v1/workflows/runs/run_1');
    expect(view).toEqual({
      runId: 'run_1',
      status: 'running',
      workflow: { slug: 'greet', version: 2, ephemeral: false, name: 'Greet', id: 'wf_1' },
      input: { prompt: 'a cat' },
      nodes: {
        a: {
          status: 'completed',
          attempt: 1,
          queuedAt: '2030-01-01T00:00:00.000Z',
          startedAt: '2030-01-01T00:00:01.000Z',
          finishedAt: '2030-01-01T00:00:03.000Z',
          durationMs: 2000,
          result: { text: 'hi' },
        },
        b: { status: 'pending', attempt: 0 },
      },
      outputs: null,
      error: null,
      createdAt: '2030-01-01T00:00:00.000Z',
      startedAt: '2030-01-01T00:00:01.000Z',
      finishedAt: null,
      durationMs: null,
      statusUrl: 'http://x/v1/workflows/runs/run_1',
    });
  });

  it('has outputs once completed, and a duration from creation to the end', () => {
    const done = run({ status: 'completed', finishedAt: at(5) });
    const view = runView(done, 'u');
    expect(view.outputs).toEqual({ a: { text: 'hi' } });
    expect(view.durationMs).toBe(5000);
    expect(view.finishedAt).toBe('2030-01-01T00:00:05.000Z');
  });

  it('reports why a run failed', () => {
    const error = { code: 'step_failed', message: 'b failed', nodeId: 'b' };
    const view = runSummaryView(run({ status: 'failed', finishedAt: at(4), error }), 'u');
    expect(view).toMatchObject({ status: 'failed', error, durationMs: 4000 });
    expect(view).not.toHaveProperty('nodes');
  });
});
