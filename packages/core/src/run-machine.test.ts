import fc from 'fast-check';
import type { WorkflowDefinition } from './definition-types';
import { envelope, type Envelope, type StepError, type StepResultEnvelope } from './envelope';
import {
  applyStepResult,
  applyTimers,
  cancelRun,
  isSettledNode,
  leaseAnswer,
  MAX_LOST_ATTEMPTS,
  nextTimerAt,
  resumeRun,
  runOutputs,
  startRun,
  type RunRecord,
  type Transition,
  type TransitionContext,
} from './run-machine';
import { MAX_MESSAGE_BYTES } from './message-limits';
import { checkDefinition } from './validate-definition';

function define(raw: unknown): WorkflowDefinition {
  const { definition, diagnostics } = checkDefinition(raw);
  if (!definition) throw new Error(JSON.stringify(diagnostics.errors));
  return definition;
}

const transform = (value: unknown, extra: object = {}) => ({
  task: 'core/transform',
  inputs: { value },
  ...extra,
});

function context(definition: WorkflowDefinition, now = 1_000): TransitionContext {
  let n = 0;
  return { definition, now, random: () => 0.5, newId: () => `m${++n}` };
}

function report(
  run: RunRecord,
  nodeId: string,
  type: StepResultEnvelope['type'],
  options: {
    attempt?: number;
    result?: unknown;
    error?: StepError;
    holder?: string;
    createdAt?: number;
  } = {},
): StepResultEnvelope {
  const attempt = options.attempt ?? run.nodes[nodeId]?.attempt ?? 1;
  const base = {
    id: `r-${nodeId}-${attempt}-${type}`,
    runId: run.id,
    nodeId,
    attempt,
    createdAt: 0,
  };
  const times = { workerId: 'w1', startedAt: 10, finishedAt: 20 };
  if (type === 'step.claim') {
    return envelope({
      ...base,
      type,
      payload: { workerId: 'w1', holder: options.holder ?? 'w1:h', startedAt: 10, leaseMs: 20_000 },
    });
  }
  if (type === 'step.heartbeat' || type === 'step.released' || type === 'step.lease-check') {
    return envelope({
      ...base,
      createdAt: options.createdAt ?? 0,
      type,
      payload: { holder: options.holder ?? 'w1:h' },
    });
  }
  if (type === 'step.succeeded') {
    return envelope({ ...base, type, payload: { ...times, result: options.result ?? {} } });
  }
  return envelope({
    ...base,
    type,
    payload: { ...times, error: options.error ?? { code: 'boom', message: 'x', retryable: true } },
  });
}

function queued(transition: Transition): string[] {
  return transition.messages
    .filter((m) => m.envelope.type === 'step.execute')
    .map((m) => m.envelope.nodeId as string);
}

const chain = define({
  name: 'chain',
  dag: {
    nodes: {
      a: transform('${input.x}'),
      b: transform({ from_a: '${nodes.a.result}' }),
      c: transform('got ${nodes.b.result.from_a}'),
    },
    edges: [
      { from: 'a', to: 'b' },
      { from: 'b', to: 'c' },
    ],
  },
});

describe('startRun', () => {
  it('queues only the roots, with their references resolved, and the run is pending', () => {
    const start = startRun({ id: 'run1', appId: 'app1', input: { x: 42 } }, context(chain));
    expect(start.run.status).toBe('pending');
    expect(queued(start)).toEqual(['a']);
    const message = start.messages[0] as {
      topic: string;
      key: string;
      envelope: Envelope<'step.execute'>;
    };
    expect(message.topic).toBe('weft.steps.core.transform');
    expect(message.key).toBe('run1');
    expect(message.envelope.payload.inputs).toEqual({ value: 42 });
    expect(message.envelope.payload.idempotencyKey).toBe('run1:a:1');
    expect(start.run.nodes.a).toMatchObject({ status: 'queued', attempt: 1, queuedAt: 1_000 });
    expect(start.run.nodes.b).toMatchObject({ status: 'pending', attempt: 0 });
  });

  it('completes an empty workflow at once', () => {
    const start = startRun(
      { id: 'r', appId: 'a', input: {} },
      context(define({ name: 'blank', dag: { nodes: {}, edges: [] } })),
    );
    expect(start.run.status).toBe('completed');
    expect(start.messages.map((m) => m.envelope.type)).toEqual(['run.completed']);
  });

  it('sends a region-pinned workflow to the region topic', () => {
    const eu = define({ name: 'eu', region: 'eu', dag: { nodes: { a: transform(1) }, edges: [] } });
    expect(startRun({ id: 'r', appId: 'a', input: {} }, context(eu)).messages[0]?.topic).toBe(
      'weft.steps.core.transform.eu',
    );
  });
});

describe('applyStepResult', () => {
  it('runs a chain to completion, each node once, outputs typed as produced', () => {
    let t = startRun({ id: 'run1', appId: 'app1', input: { x: 42 } }, context(chain));
    t = applyStepResult(t.run, report(t.run, 'a', 'step.claim'), context(chain, 1_100));
    expect(t.run.status).toBe('running');
    expect(t.run.startedAt).toBe(1_100);
    expect(t.run.nodes.a?.status).toBe('running');

    t = applyStepResult(
      t.run,
      report(t.run, 'a', 'step.succeeded', { result: 42 }),
      context(chain),
    );
    expect(queued(t)).toEqual(['b']);
    const b = t.messages[0]?.envelope as Envelope<'step.execute'>;
    expect(b.payload.inputs).toEqual({ value: { from_a: 42 } });

    t = applyStepResult(
      t.run,
      report(t.run, 'b', 'step.succeeded', { result: { from_a: 42 } }),
      context(chain),
    );
    const c = t.messages[0]?.envelope as Envelope<'step.execute'>;
    expect(c.payload.inputs).toEqual({ value: 'got 42' });

    t = applyStepResult(
      t.run,
      report(t.run, 'c', 'step.succeeded', { result: 'got 42' }),
      context(chain, 5_000),
    );
    expect(t.run.status).toBe('completed');
    expect(t.run.finishedAt).toBe(5_000);
    expect(t.messages.map((m) => [m.topic, m.envelope.type])).toEqual([
      ['weft.run-events', 'run.completed'],
    ]);
    expect(runOutputs(t.run)).toEqual({ a: 42, b: { from_a: 42 }, c: 'got 42' });
  });

  it('changes nothing for a duplicate report, a stale attempt or an unknown node', () => {
    const start = startRun({ id: 'r', appId: 'a', input: { x: 1 } }, context(chain));
    const done = applyStepResult(
      start.run,
      report(start.run, 'a', 'step.succeeded'),
      context(chain),
    );
    expect(done.changed).toBe(true);
    const again = applyStepResult(
      done.run,
      report(start.run, 'a', 'step.succeeded'),
      context(chain),
    );
    expect(again).toMatchObject({ changed: false, messages: [] });
    expect(again.run).toBe(done.run);
    expect(
      applyStepResult(
        done.run,
        report(done.run, 'b', 'step.succeeded', { attempt: 7 }),
        context(chain),
      ).changed,
    ).toBe(false);
    expect(
      applyStepResult(
        done.run,
        report(done.run, 'zz', 'step.succeeded', { attempt: 1 }),
        context(chain),
      ).changed,
    ).toBe(false);
    expect(
      applyStepResult(done.run, report(done.run, 'a', 'step.claim'), context(chain)).changed,
    ).toBe(false);
  });

  it('joins a diamond only when both branches completed', () => {
    const diamond = define({
      name: 'diamond',
      dag: {
        nodes: {
          top: transform(1),
          left: transform('${nodes.top.result}'),
          right: transform('${nodes.top.result}'),
          join: transform(['${nodes.left.result}', '${nodes.right.result}']),
        },
        edges: [
          { from: 'top', to: 'left' },
          { from: 'top', to: 'right' },
          { from: 'left', to: 'join' },
          { from: 'right', to: 'join' },
        ],
      },
    });
    let t = startRun({ id: 'r', appId: 'a', input: {} }, context(diamond));
    t = applyStepResult(
      t.run,
      report(t.run, 'top', 'step.succeeded', { result: 1 }),
      context(diamond),
    );
    expect(queued(t).sort()).toEqual(['left', 'right']);
    t = applyStepResult(
      t.run,
      report(t.run, 'left', 'step.succeeded', { result: 'L' }),
      context(diamond),
    );
    expect(queued(t)).toEqual([]);
    t = applyStepResult(
      t.run,
      report(t.run, 'right', 'step.succeeded', { result: 'R' }),
      context(diamond),
    );
    expect((t.messages[0]?.envelope as Envelope<'step.execute'>).payload.inputs).toEqual({
      value: ['L', 'R'],
    });
  });
});

describe('inputs too large for a message', () => {
  // Each reference copies the upstream result: 4 × 300 kB resolves past the message limit.
  const growing = define({
    name: 'growing',
    dag: {
      nodes: {
        piece: transform('seed'),
        four: transform(
          Array.from({ length: 4 }, () => '${nodes.piece.result}'),
          { on_error: 'continue' },
        ),
        three: transform(Array.from({ length: 3 }, () => '${nodes.piece.result}')),
      },
      edges: [
        { from: 'piece', to: 'four' },
        { from: 'piece', to: 'three' },
      ],
    },
  });

  it('fails the node instead of queueing a message the broker would refuse', () => {
    let t = startRun({ id: 'r', appId: 'a', input: {} }, context(growing));
    t = applyStepResult(
      t.run,
      report(t.run, 'piece', 'step.succeeded', { result: 'x'.repeat(300_000) }),
      context(growing),
    );
    expect(t.run.nodes.four).toMatchObject({
      status: 'failed',
      error: { code: 'inputs_too_large', retryable: false },
    });
    // 3 × 300 kB fits: the sibling is queued as usual (`four` fails under on_error continue).
    expect(t.run.nodes.three?.status).toBe('queued');
    expect(queued(t)).toEqual(['three']);
    for (const message of t.messages) {
      expect(Buffer.byteLength(JSON.stringify(message.envelope))).toBeLessThan(MAX_MESSAGE_BYTES);
    }
  });
});

describe('retries and failures', () => {
  const flaky = define({
    name: 'flaky',
    dag: {
      nodes: {
        a: transform(1, {
          retry: { max_attempts: 3, initial_delay_ms: 1000, backoff_coefficient: 2 },
        }),
        b: transform('${nodes.a.result}'),
      },
      edges: [{ from: 'a', to: 'b' }],
    },
  });

  it('retries a retryable failure after its backoff, as a new attempt', () => {
    let t = startRun({ id: 'r', appId: 'a', input: {} }, context(flaky, 0));
    t = applyStepResult(t.run, report(t.run, 'a', 'step.failed'), context(flaky, 100));
    expect(t.run.nodes.a).toMatchObject({
      status: 'retrying',
      attempt: 1,
      error: { code: 'boom' },
    });
    const retryAt = t.run.nodes.a?.retryAt as number;
    expect(retryAt).toBeGreaterThanOrEqual(100 + 500);
    expect(retryAt).toBeLessThanOrEqual(100 + 1000);
    expect(nextTimerAt(t.run)).toBe(retryAt);
    expect(t.messages).toEqual([]);

    expect(applyTimers(t.run, context(flaky, retryAt - 1)).changed).toBe(false);
    t = applyTimers(t.run, context(flaky, retryAt));
    expect(t.run.nodes.a).toMatchObject({ status: 'queued', attempt: 2 });
    expect((t.messages[0]?.envelope as Envelope<'step.execute'>).payload.idempotencyKey).toBe(
      'r:a:2',
    );
    // A late report of attempt 1 is ignored.
    expect(
      applyStepResult(t.run, report(t.run, 'a', 'step.succeeded', { attempt: 1 }), context(flaky))
        .changed,
    ).toBe(false);
  });

  it('fails the run with the node error once attempts are exhausted, cancelling the rest', () => {
    let t = startRun({ id: 'r', appId: 'a', input: {} }, context(flaky, 0));
    for (let attempt = 1; attempt <= 3; attempt++) {
      t = applyStepResult(
        t.run,
        report(t.run, 'a', 'step.failed'),
        context(flaky, attempt * 10_000),
      );
      if (attempt < 3) t = applyTimers(t.run, context(flaky, attempt * 10_000 + 5_000));
    }
    expect(t.run.status).toBe('failed');
    expect(t.run.error).toEqual({
      code: 'node_failed',
      message: 'node "a" failed (boom: x)',
      nodeId: 'a',
    });
    expect(t.run.nodes.a).toMatchObject({ status: 'failed', attempt: 3 });
    expect(t.run.nodes.b?.status).toBe('cancelled');
    expect(t.messages.map((m) => m.envelope.type)).toEqual(['run.failed']);
  });

  it('fails at once on a non-retryable error', () => {
    let t = startRun({ id: 'r', appId: 'a', input: {} }, context(flaky));
    t = applyStepResult(
      t.run,
      report(t.run, 'a', 'step.failed', {
        error: { code: 'invalid_input', message: 'no', retryable: false },
      }),
      context(flaky),
    );
    expect(t.run.status).toBe('failed');
    expect(t.run.nodes.a?.attempt).toBe(1);
  });

  it('under on_error continue, skips the dependents and completes the run', () => {
    const lenient = define({
      name: 'lenient',
      dag: {
        nodes: {
          a: transform(1, { on_error: 'continue', retry: { max_attempts: 1 } }),
          b: transform('${nodes.a.result}'),
          c: transform('${nodes.b.result}'),
          other: transform(2),
        },
        edges: [
          { from: 'a', to: 'b' },
          { from: 'b', to: 'c' },
        ],
      },
    });
    let t = startRun({ id: 'r', appId: 'a', input: {} }, context(lenient));
    t = applyStepResult(t.run, report(t.run, 'a', 'step.failed'), context(lenient));
    expect(t.run.nodes.b?.status).toBe('skipped');
    expect(t.run.nodes.c?.status).toBe('skipped');
    expect(t.run.status).toBe('running');
    t = applyStepResult(
      t.run,
      report(t.run, 'other', 'step.succeeded', { result: 2 }),
      context(lenient),
    );
    expect(t.run.status).toBe('completed');
    expect(t.run.nodes.a?.status).toBe('failed');
  });

  it('fails a node whose reference cannot resolve, without running it', () => {
    const missing = define({
      name: 'missing',
      dag: {
        nodes: { a: transform({}), b: transform('${nodes.a.result.nope}') },
        edges: [{ from: 'a', to: 'b' }],
      },
    });
    let t = startRun({ id: 'r', appId: 'a', input: {} }, context(missing));
    t = applyStepResult(
      t.run,
      report(t.run, 'a', 'step.succeeded', { result: {} }),
      context(missing),
    );
    expect(queued(t)).toEqual([]);
    expect(t.run.nodes.b).toMatchObject({
      status: 'failed',
      error: { code: 'unresolved_reference', retryable: false },
    });
    expect(t.run.status).toBe('failed');
  });
});

describe('time', () => {
  const slow = define({
    name: 'slow',
    timeout: 60,
    dag: { nodes: { a: transform(1, { timeout: 5, retry: { max_attempts: 2 } }) }, edges: [] },
  });

  it('retries an attempt whose worker went quiet past the step timeout', () => {
    let t = startRun({ id: 'r', appId: 'a', input: {} }, context(slow, 0));
    t = applyStepResult(t.run, report(t.run, 'a', 'step.claim'), context(slow, 1_000));
    expect(t.run.nodes.a?.deadlineAt).toBe(6_000);
    expect(nextTimerAt(t.run)).toBe(6_000);
    t = applyTimers(t.run, context(slow, 6_000));
    expect(t.run.nodes.a).toMatchObject({ status: 'retrying', error: { code: 'step_timeout' } });
  });

  it('times the run out at its deadline and tells the run events topic', () => {
    const t = startRun({ id: 'r', appId: 'a', input: {} }, context(slow, 0));
    expect(t.run.deadlineAt).toBe(60_000);
    expect(applyTimers(t.run, context(slow, 59_999)).changed).toBe(false);
    const out = applyTimers(t.run, context(slow, 60_000));
    expect(out.run.status).toBe('timed_out');
    expect(out.run.nodes.a?.status).toBe('cancelled');
    expect(out.messages.map((m) => m.envelope.type)).toEqual(['run.timed_out']);
    expect(queued(out)).toEqual([]);
    expect(nextTimerAt(out.run)).toBeUndefined();
  });
});

describe('cancel and resume', () => {
  it('cancels once, then ignores results and further cancels', () => {
    const start = startRun({ id: 'r', appId: 'a', input: { x: 1 } }, context(chain));
    const cancelled = cancelRun(start.run, context(chain));
    expect(cancelled.run.status).toBe('cancelled');
    expect(cancelled.messages.map((m) => m.envelope.type)).toEqual(['run.cancelled']);
    expect(cancelRun(cancelled.run, context(chain)).changed).toBe(false);
    expect(
      applyStepResult(cancelled.run, report(start.run, 'a', 'step.succeeded'), context(chain))
        .changed,
    ).toBe(false);
  });

  it('resumes a failed run from the nodes that did not complete, keeping results', () => {
    let t = startRun({ id: 'r', appId: 'a', input: { x: 1 } }, context(chain));
    t = applyStepResult(t.run, report(t.run, 'a', 'step.succeeded', { result: 1 }), context(chain));
    t = applyStepResult(
      t.run,
      report(t.run, 'b', 'step.succeeded', { result: { from_a: 1 } }),
      context(chain),
    );
    t = applyStepResult(
      t.run,
      report(t.run, 'c', 'step.failed', { error: { code: 'bad', message: 'x', retryable: false } }),
      context(chain),
    );
    expect(t.run.status).toBe('failed');

    const resumed = resumeRun(t.run, context(chain, 9_000));
    expect(resumed.run.status).toBe('running');
    expect(resumed.run.error).toBeUndefined();
    expect(queued(resumed)).toEqual(['c']);
    expect(resumed.run.nodes.c).toMatchObject({ status: 'queued', attempt: 2, attemptBase: 1 });
    expect(resumed.run.nodes.a).toBe(t.run.nodes.a);
    const done = applyStepResult(
      resumed.run,
      report(resumed.run, 'c', 'step.succeeded'),
      context(chain),
    );
    expect(done.run.status).toBe('completed');
    expect(resumeRun(done.run, context(chain)).changed).toBe(false);
  });
});

/** Watchers skip settled nodes when they read a run again: no transition may change one. */
function expectSettledKept(before: RunRecord, after: RunRecord): void {
  for (const [id, node] of Object.entries(before.nodes)) {
    if (isSettledNode(node)) expect(after.nodes[id]).toEqual(node);
  }
}

describe('property: duplicated and reordered reports', () => {
  it('enqueue each (node, attempt) once, never change a settled node and always end the run', () => {
    const graph = fc.integer({ min: 1, max: 12 }).chain((size) =>
      fc.record({
        size: fc.constant(size),
        // Edges only go from a lower to a higher index, so every graph is acyclic.
        edges: fc.uniqueArray(
          fc
            .tuple(fc.nat(size - 1), fc.nat(size - 1))
            .map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const),
          { selector: ([a, b]) => `${a}-${b}`, maxLength: 30 },
        ),
        outcomes: fc.array(fc.constantFrom('ok', 'fail', 'flaky'), {
          minLength: size,
          maxLength: size,
        }),
        duplicates: fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }),
      }),
    );
    fc.assert(
      fc.property(graph, ({ size, edges, outcomes, duplicates }) => {
        const ids = Array.from({ length: size }, (_, i) => `n${i}`);
        const definition = define({
          name: 'random',
          dag: {
            nodes: Object.fromEntries(
              ids.map((id, i) => [
                id,
                transform(i, { on_error: i % 2 ? 'continue' : 'fail', retry: { max_attempts: 2 } }),
              ]),
            ),
            edges: edges
              .filter(([a, b]) => a !== b)
              .map(([a, b]) => ({ from: `n${a}`, to: `n${b}` })),
          },
        });
        const seen = new Set<string>();
        let now = 0;
        let t = startRun({ id: 'r', appId: 'a', input: {} }, context(definition, now));
        const pending: StepResultEnvelope[] = [];
        let dup = 0;
        const enqueue = (transition: Transition) => {
          for (const m of transition.messages) {
            if (m.envelope.type !== 'step.execute') continue;
            const key = `${m.envelope.nodeId}:${m.envelope.attempt}`;
            expect(seen.has(key)).toBe(false);
            seen.add(key);
            const i = Number((m.envelope.nodeId as string).slice(1));
            const fails =
              outcomes[i] === 'fail' || (outcomes[i] === 'flaky' && m.envelope.attempt === 1);
            const r = report(
              t.run,
              m.envelope.nodeId as string,
              fails ? 'step.failed' : 'step.succeeded',
              {
                attempt: m.envelope.attempt as number,
              },
            );
            pending.push(r);
            if (duplicates[dup++ % duplicates.length]) pending.unshift(r);
          }
        };
        enqueue(t);
        for (
          let guard = 0;
          guard < 500 && (pending.length > 0 || nextTimerAt(t.run) !== undefined);
          guard++
        ) {
          const next = pending.shift();
          now += 10_000;
          const before = t.run;
          t = next
            ? applyStepResult(t.run, next, context(definition, now))
            : applyTimers(t.run, context(definition, now));
          expectSettledKept(before, t.run);
          enqueue(t);
        }
        expect(['completed', 'failed']).toContain(t.run.status);
        expectSettledKept(t.run, resumeRun(t.run, context(definition, now)).run);
      }),
      { numRuns: 200 },
    );
  });
});

describe('leases', () => {
  const one = define({ name: 'one', dag: { nodes: { a: transform(1) }, edges: [] } });
  const claimed = (holder = 'w1:h', now = 1_000) => {
    const start = startRun({ id: 'r', appId: 'a', input: {} }, context(one, 0));
    return applyStepResult(
      start.run,
      report(start.run, 'a', 'step.claim', { holder }),
      context(one, now),
    );
  };
  const answer = (run: RunRecord, type: 'step.claim' | 'step.heartbeat', holder: string) =>
    leaseAnswer(
      run,
      report(run, 'a', type, { holder }) as Envelope<'step.claim' | 'step.heartbeat'>,
    );

  it('grants an attempt to its first claim, and answers every other holder held', () => {
    const t = claimed('w1:h', 1_000);
    expect(t.run.nodes.a).toMatchObject({
      status: 'running',
      lease: { holder: 'w1:h', ms: 20_000, beatAt: 1_000 },
    });
    expect(answer(t.run, 'step.claim', 'w1:h')).toBe('granted');
    const second = applyStepResult(
      t.run,
      report(t.run, 'a', 'step.claim', { holder: 'w2:h' }),
      context(one, 1_200),
    );
    expect(second.changed).toBe(false);
    expect(answer(second.run, 'step.claim', 'w2:h')).toBe('held');
  });

  it('answers closed to a claim on an attempt the run no longer needs', () => {
    const t = claimed();
    const cancelled = cancelRun(t.run, context(one, 2_000));
    expect(answer(cancelled.run, 'step.claim', 'w1:h')).toBe('closed');
    const stale = report(t.run, 'a', 'step.claim', { attempt: 7 }) as Envelope<'step.claim'>;
    expect(leaseAnswer(t.run, stale)).toBe('closed');
    // No such run: nothing to run, nothing held.
    expect(leaseAnswer(undefined, stale)).toBe('closed');
    const beat = report(t.run, 'a', 'step.heartbeat') as Envelope<'step.heartbeat'>;
    expect(leaseAnswer(undefined, beat)).toBe('lost');
  });

  it('renews a lease on its holder’s heartbeat only, and tells another holder it lost', () => {
    const t = claimed('w1:h', 1_000);
    expect(nextTimerAt(t.run)).toBe(21_000);
    const beat = applyStepResult(t.run, report(t.run, 'a', 'step.heartbeat'), context(one, 8_000));
    expect(beat.run.nodes.a?.lease?.beatAt).toBe(8_000);
    expect(nextTimerAt(beat.run)).toBe(28_000);
    expect(answer(beat.run, 'step.heartbeat', 'w1:h')).toBeUndefined();
    const other = applyStepResult(
      t.run,
      report(t.run, 'a', 'step.heartbeat', { holder: 'x' }),
      context(one, 8_000),
    );
    expect(other.changed).toBe(false);
    expect(answer(other.run, 'step.heartbeat', 'x')).toBe('lost');
  });

  it('checks a lease past its end through the results log before giving the attempt up', () => {
    const t = claimed('w1:h', 1_000);
    expect(applyTimers(t.run, context(one, 20_999)).changed).toBe(false);
    const due = applyTimers(t.run, context(one, 21_000));
    expect(due.messages.map((m) => [m.topic, m.envelope.type])).toEqual([
      ['weft.step-results', 'step.lease-check'],
    ]);
    expect(due.run.nodes.a?.lease?.checkAt).toBe(21_000);
    // Not sent again before another lease period.
    expect(nextTimerAt(due.run)).toBe(41_000);
    expect(applyTimers(due.run, context(one, 30_000)).changed).toBe(false);

    // A heartbeat the lagging orchestrator applies before the check answers it.
    const beat = applyStepResult(
      due.run,
      report(due.run, 'a', 'step.heartbeat'),
      context(one, 25_000),
    );
    const check = report(beat.run, 'a', 'step.lease-check', { createdAt: 21_000 });
    expect(applyStepResult(beat.run, check, context(one, 25_001)).changed).toBe(false);

    // No heartbeat since: the attempt is lost, and the next one queued at once.
    const lost = applyStepResult(due.run, check, context(one, 25_001));
    expect(lost.run.nodes.a).toMatchObject({
      status: 'queued',
      attempt: 2,
      attemptBase: 1,
      lost: 1,
      error: { code: 'worker_lost', retryable: true },
    });
    expect(lost.run.nodes.a?.lease).toBeUndefined();
    expect(queued(lost)).toEqual(['a']);
  });

  it('queues a handed-back attempt again at once, outside the retry budget and the lost count', () => {
    const t = claimed();
    const back = applyStepResult(t.run, report(t.run, 'a', 'step.released'), context(one, 2_000));
    expect(back.run.nodes.a).toMatchObject({ status: 'queued', attempt: 2, attemptBase: 1 });
    expect(back.run.nodes.a?.lost).toBeUndefined();
    expect(queued(back)).toEqual(['a']);
    const foreign = applyStepResult(
      t.run,
      report(t.run, 'a', 'step.released', { holder: 'x' }),
      context(one, 2_000),
    );
    expect(foreign.changed).toBe(false);
  });

  it('fails a node that loses its worker MAX_LOST_ATTEMPTS times', () => {
    let t = startRun({ id: 'r', appId: 'a', input: {} }, context(one, 0));
    for (let lost = 1; lost <= MAX_LOST_ATTEMPTS; lost++) {
      t = applyStepResult(t.run, report(t.run, 'a', 'step.claim'), context(one, lost * 100_000));
      const check = report(t.run, 'a', 'step.lease-check', { createdAt: lost * 100_000 + 30_000 });
      t = applyStepResult(t.run, check, context(one, lost * 100_000 + 30_000));
    }
    expect(t.run.status).toBe('failed');
    expect(t.run.nodes.a).toMatchObject({
      status: 'failed',
      lost: MAX_LOST_ATTEMPTS,
      error: { code: 'worker_lost', retryable: false },
    });
  });
});
