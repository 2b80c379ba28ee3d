import type { NodeView, RunEvent, RunStatus, RunView } from '@weft/client';
import { ProgressRenderer } from './progress-renderer';

function view(status: RunStatus, nodes: Record<string, NodeView>): RunView {
  return {
    runId: 'run_1',
    status,
    workflow: { slug: 'demo', version: 1, ephemeral: false, name: 'Demo' },
    input: {},
    nodes,
    outputs: null,
    error: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    statusUrl: 'http://weft.test/v1/workflows/runs/run_1',
  };
}

const node = (nodeId: string, rest: Partial<Extract<RunEvent, { type: 'node' }>['data']>) =>
  ({
    type: 'node',
    data: { runId: 'run_1', nodeId, status: 'running', attempt: 1, ...rest },
  }) as RunEvent;

/** [ms since start, event]: a node that completes, one that retries and then fails. */
const TIMELINE: [number, RunEvent][] = [
  [
    0,
    {
      type: 'snapshot',
      data: view('running', {
        gen: { status: 'pending', attempt: 0 },
        check: { status: 'pending', attempt: 0 },
      }),
    },
  ],
  [100, node('gen', { status: 'queued' })],
  [200, node('gen', { status: 'running' })],
  [1400, node('gen', { status: 'completed', durationMs: 1200 })],
  [1500, node('check', { status: 'running' })],
  [
    1600,
    node('check', {
      status: 'retrying',
      error: { code: 'rate_limited', message: 'slow down', retryable: true },
    }),
  ],
  [2600, node('check', { status: 'running', attempt: 2 })],
  [
    2900,
    node('check', {
      status: 'failed',
      attempt: 2,
      error: { code: 'boom', message: 'it broke', retryable: false },
    }),
  ],
  [3000, { type: 'run', data: { runId: 'run_1', status: 'failed' } }],
  [
    3000,
    {
      type: 'end',
      data: view('failed', {
        gen: { status: 'completed', attempt: 1, durationMs: 1200 },
        check: {
          status: 'failed',
          attempt: 2,
          durationMs: 300,
          error: { code: 'boom', message: 'it broke', retryable: false },
        },
      }),
    },
  ],
];

function play(options: { tty: boolean; columns?: number; color?: boolean }): string[] {
  let now = 0;
  const writes: string[] = [];
  const renderer = new ProgressRenderer({
    ...options,
    write: (text) => writes.push(text),
    now: () => now,
  });
  for (const [at, event] of TIMELINE) {
    now = at;
    renderer.event(event);
  }
  return writes;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]|\r/g;

describe('ProgressRenderer, piped', () => {
  it('prints one plain line per transition: status, attempt, duration, error', () => {
    expect(play({ tty: false }).join('')).toBe(
      [
        '  +0.0s  run run_1 running',
        '  +0.1s  gen    queued     attempt 1',
        '  +0.2s  gen    running    attempt 1',
        '  +1.4s  gen    completed  attempt 1  1.2s',
        '  +1.5s  check  running    attempt 1',
        '  +1.6s  check  retrying   attempt 1  rate_limited: slow down',
        '  +2.6s  check  running    attempt 2',
        '  +2.9s  check  failed     attempt 2  300ms  boom: it broke',
        '  +3.0s  run run_1 failed',
        '',
      ].join('\n'),
    );
  });

  it('shows a late joiner the nodes that already moved, and says nothing twice', () => {
    const writes: string[] = [];
    const renderer = new ProgressRenderer({
      tty: false,
      write: (text) => writes.push(text),
      now: () => 0,
    });
    const midway = view('running', {
      a: { status: 'completed', attempt: 1, durationMs: 50 },
      b: { status: 'skipped', attempt: 0 },
      c: { status: 'pending', attempt: 0 },
    });
    renderer.event({ type: 'snapshot', data: midway });
    renderer.event({ type: 'snapshot', data: midway });
    expect(writes.join('')).toBe(
      '  +0.0s  run run_1 running\n' +
        '  +0.0s  a     completed  attempt 1  50ms\n' +
        '  +0.0s  b     skipped\n',
    );
  });
});

describe('ProgressRenderer, on a terminal', () => {
  it('draws one table and redraws it in place after every event', () => {
    const writes = play({ tty: true, color: false });
    expect(writes).toHaveLength(TIMELINE.length);
    expect(writes[0]).not.toContain('\x1b[');
    // 4 lines on screen: the run, the header, two nodes. Each redraw goes back over them.
    for (const write of writes.slice(1)) expect(write.startsWith('\x1b[4A\r\x1b[J')).toBe(true);
    expect(writes.at(-1)?.replace(ANSI, '')).toBe(
      [
        'run run_1  failed  3.0s',
        '  NODE   STATUS       ATTEMPT  DURATION  ERROR',
        '  gen    ✓ completed  1        1.2s',
        '  check  ✗ failed     2        300ms     boom: it broke',
        '',
      ].join('\n'),
    );
  });

  it('colours statuses, cuts lines to the width, and ticks running durations', () => {
    let now = 0;
    const writes: string[] = [];
    const renderer = new ProgressRenderer({
      tty: true,
      columns: 60,
      write: (text) => writes.push(text),
      now: () => now,
    });
    renderer.event({
      type: 'snapshot',
      data: view('running', { gen: { status: 'pending', attempt: 0 } }),
    });
    renderer.event(
      node('gen', {
        status: 'retrying',
        error: {
          code: 'provider_error',
          message: 'a long explanation of what went wrong',
          retryable: true,
        },
      }),
    );
    expect(writes.at(-1)).toContain('\x1b[33m↻ retrying');
    for (const line of (writes.at(-1) ?? '').replace(ANSI, '').split('\n')) {
      expect(line.length).toBeLessThanOrEqual(59);
    }
    expect(writes.at(-1)?.replace(ANSI, '')).toMatch(/ {2}provider_error: a …\n/);
    renderer.event(node('gen', { status: 'running', attempt: 2 }));
    now = 2500;
    renderer.tick();
    expect(writes.at(-1)?.replace(ANSI, '')).toContain('  gen   ▸ running    2        2.5s\n');
  });

  it('prints nothing on tick when piped', () => {
    const writes: string[] = [];
    const renderer = new ProgressRenderer({ tty: false, write: (text) => writes.push(text) });
    renderer.tick();
    expect(writes).toEqual([]);
  });
});
