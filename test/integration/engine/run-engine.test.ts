import { envelope, STEP_RESULTS_TOPIC, stepTopic } from '@weft/core';
import type { StoredRun } from '@weft/store';
import { TestEngine } from '../../support/engine';
import { waitFor } from '../../support/test-infrastructure';

const transform = (value: unknown, extra: object = {}) => ({
  task: 'core/transform',
  inputs: { value },
  ...extra,
});

function statuses(run: StoredRun): Record<string, string> {
  return Object.fromEntries(Object.entries(run.nodes).map(([id, node]) => [id, node.status]));
}

describe('the run engine on the real broker and database', () => {
  const engine = new TestEngine();

  beforeAll(async () => {
    await engine.open();
    await engine.startOrchestrator();
    await engine.startWorker();
  });

  afterAll(async () => {
    await engine.close();
  });

  it('runs a chain, passing typed results along, each node once', async () => {
    const run = await engine.startRun(
      {
        name: 'chain',
        dag: {
          nodes: {
            a: transform({ n: '${input.n}' }),
            b: transform('${nodes.a.result.n}'),
            c: transform('n is ${nodes.b.result}'),
          },
          edges: [
            { from: 'a', to: 'b' },
            { from: 'b', to: 'c' },
          ],
        },
      },
      { n: 7 },
    );
    expect(run.status).toBe('pending');
    const done = await engine.waitForRun(run.id);
    expect(done.status).toBe('completed');
    expect(done.nodes.a?.result).toEqual({ n: 7 });
    expect(done.nodes.b?.result).toBe(7);
    expect(done.nodes.c?.result).toBe('n is 7');
    for (const id of ['a', 'b', 'c']) expect(engine.executionsOf(run.id, id)).toBe(1);
    expect(done.startedAt).toBeGreaterThanOrEqual(done.createdAt);
    expect(done.finishedAt).toBeGreaterThanOrEqual(done.startedAt as number);
    // The run event is published right after the write that ends the run, then cleared.
    const published = await engine.waitForRun(
      run.id,
      (r) => Object.keys(r.outbox ?? {}).length === 0,
    );
    expect(published.outboxAt).toBeUndefined();
  });

  it('claims every attempt before it runs, then reports its result', async () => {
    const reports: string[] = [];
    const consumer = await engine.kafka.consumer({
      groupId: `reports-${Date.now()}`,
      topics: [STEP_RESULTS_TOPIC],
      fromBeginning: true,
    });
    await consumer.run(async (message) => {
      const report = JSON.parse(message.value.toString()) as {
        runId: string;
        nodeId: string;
        type: string;
      };
      reports.push(`${report.runId}:${report.nodeId}:${report.type}`);
    });
    try {
      const run = await engine.startRun({
        name: 'quick and slow',
        dag: {
          nodes: { quick: transform(1), slow: { task: 'core/delay', inputs: { ms: 300 } } },
          edges: [{ from: 'quick', to: 'slow' }],
        },
      });
      const done = await engine.waitForRun(run.id);
      expect(done.status).toBe('completed');
      expect(done.nodes.quick?.startedAt).toBeLessThanOrEqual(done.nodes.quick!.finishedAt!);
      await waitFor('both steps reported', async () =>
        reports.filter((r) => r.startsWith(run.id)).length >= 4 ? true : undefined,
      );
      // In the order the orchestrator reads them: each claim before its result.
      expect(reports.filter((r) => r.startsWith(run.id))).toEqual([
        `${run.id}:quick:step.claim`,
        `${run.id}:quick:step.succeeded`,
        `${run.id}:slow:step.claim`,
        `${run.id}:slow:step.succeeded`,
      ]);
    } finally {
      await consumer.disconnect();
    }
  });

  it('joins a diamond once both branches are done', async () => {
    const run = await engine.startRun({
      name: 'diamond',
      dag: {
        nodes: {
          top: transform(1),
          left: transform({ side: 'left', from: '${nodes.top.result}' }),
          right: transform({ side: 'right', from: '${nodes.top.result}' }),
          join: transform(['${nodes.left.result.side}', '${nodes.right.result.side}']),
        },
        edges: [
          { from: 'top', to: 'left' },
          { from: 'top', to: 'right' },
          { from: 'left', to: 'join' },
          { from: 'right', to: 'join' },
        ],
      },
    });
    const done = await engine.waitForRun(run.id);
    expect(done.status).toBe('completed');
    expect(done.nodes.join?.result).toEqual(['left', 'right']);
    for (const id of ['top', 'left', 'right', 'join'])
      expect(engine.executionsOf(run.id, id)).toBe(1);
  });

  it('fans out 1 → 50 → 1 and joins every branch', async () => {
    const branches = Array.from({ length: 50 }, (_, i) => `b${i}`);
    const run = await engine.startRun({
      name: 'fan',
      dag: {
        nodes: {
          source: transform(3),
          ...Object.fromEntries(
            branches.map((id, i) => [id, transform({ i, x: '${nodes.source.result}' })]),
          ),
          sink: transform(branches.map((id) => `\${nodes.${id}.result.i}`)),
        },
        edges: [
          ...branches.map((id) => ({ from: 'source', to: id })),
          ...branches.map((id) => ({ from: id, to: 'sink' })),
        ],
      },
    });
    const done = await engine.waitForRun(run.id);
    expect(done.status).toBe('completed');
    expect(done.nodes.sink?.result).toEqual(branches.map((_, i) => i));
    for (const id of ['source', 'sink', ...branches])
      expect(engine.executionsOf(run.id, id)).toBe(1);
  });

  it('completes a node on attempt 3 after two failures and their backoff', async () => {
    const run = await engine.startRun({
      name: 'flaky',
      dag: {
        nodes: {
          flaky: {
            task: 'core/fail',
            inputs: { code: 'flaky', fail_attempts: 2 },
            retry: { max_attempts: 3, initial_delay_ms: 300, backoff_coefficient: 2 },
          },
        },
        edges: [],
      },
    });
    const done = await engine.waitForRun(run.id);
    expect(done.status).toBe('completed');
    expect(done.nodes.flaky).toMatchObject({
      status: 'completed',
      attempt: 3,
      result: { attempt: 3 },
    });
    // Equal jitter keeps at least half of each delay: 150 ms + 300 ms at the least.
    expect((done.finishedAt as number) - done.createdAt).toBeGreaterThanOrEqual(450);
    expect(engine.executionsOf(run.id, 'flaky')).toBe(3);
  });

  it('fails the run with the node error when it keeps failing', async () => {
    const run = await engine.startRun({
      name: 'doomed',
      dag: {
        nodes: {
          doomed: {
            task: 'core/fail',
            inputs: { code: 'still_broken', message: 'it is broken' },
            retry: { max_attempts: 2, initial_delay_ms: 50 },
          },
          after: transform('${nodes.doomed.result}'),
        },
        edges: [{ from: 'doomed', to: 'after' }],
      },
    });
    const done = await engine.waitForRun(run.id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatchObject({ code: 'node_failed', nodeId: 'doomed' });
    expect(done.nodes.doomed?.error).toMatchObject({
      code: 'still_broken',
      message: 'it is broken',
    });
    expect(statuses(done)).toEqual({ doomed: 'failed', after: 'cancelled' });
    expect(engine.executionsOf(run.id, 'after')).toBe(0);
  });

  it('under on_error continue, skips the dependents and completes the run', async () => {
    const run = await engine.startRun({
      name: 'lenient',
      dag: {
        nodes: {
          shaky: {
            task: 'core/fail',
            inputs: { code: 'nope', retryable: false },
            on_error: 'continue',
          },
          needs_shaky: transform('${nodes.shaky.result}'),
          independent: transform('fine'),
        },
        edges: [{ from: 'shaky', to: 'needs_shaky' }],
      },
    });
    const done = await engine.waitForRun(run.id);
    expect(done.status).toBe('completed');
    expect(statuses(done)).toEqual({
      shaky: 'failed',
      needs_shaky: 'skipped',
      independent: 'completed',
    });
  });

  it('cancels a run during a delay promptly, and publishes nothing after', async () => {
    const run = await engine.startRun({
      name: 'long',
      dag: {
        nodes: { wait: { task: 'core/delay', inputs: { ms: 60_000 } }, after: transform('never') },
        edges: [{ from: 'wait', to: 'after' }],
      },
    });
    await engine.waitForRun(run.id, (r) => r.nodes.wait?.status === 'running');
    const cancelledAt = Date.now();
    const cancelled = await engine.runEngine.cancel('app_test', run.id);
    expect(cancelled?.status).toBe('cancelled');
    expect(Date.now() - cancelledAt).toBeLessThan(2_000);
    // The worker hears the run event and stops waiting; its late report changes nothing.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const after = await engine.runs.getById(run.id);
    expect(after?.status).toBe('cancelled');
    expect(statuses(after as StoredRun)).toEqual({ wait: 'cancelled', after: 'cancelled' });
    expect(engine.executionsOf(run.id, 'after')).toBe(0);
  });

  it('times a run out at its timeout and runs nothing further', async () => {
    const run = await engine.startRun({
      name: 'slow',
      timeout: 1,
      dag: {
        nodes: { wait: { task: 'core/delay', inputs: { ms: 30_000 } }, after: transform('never') },
        edges: [{ from: 'wait', to: 'after' }],
      },
    });
    const done = await engine.waitForRun(run.id, undefined, 10_000);
    expect(done.status).toBe('timed_out');
    expect((done.finishedAt as number) - done.createdAt).toBeGreaterThanOrEqual(1_000);
    expect((done.finishedAt as number) - done.createdAt).toBeLessThan(5_000);
    expect(done.error?.code).toBe('run_timed_out');
    expect(engine.executionsOf(run.id, 'after')).toBe(0);
  });

  it('ignores injected duplicate results and duplicate step messages', async () => {
    const run = await engine.startRun({
      name: 'dupes',
      dag: {
        nodes: { first: transform('one'), second: transform('${nodes.first.result}') },
        edges: [{ from: 'first', to: 'second' }],
      },
    });
    const done = await engine.waitForRun(run.id);
    expect(done.status).toBe('completed');

    // The first node's success, again, as a redelivery would bring it.
    const duplicate = envelope({
      id: 'dup-1',
      type: 'step.succeeded',
      runId: run.id,
      nodeId: 'first',
      attempt: 1,
      createdAt: Date.now(),
      payload: {
        workerId: 'ghost',
        startedAt: Date.now(),
        finishedAt: Date.now(),
        result: 'other',
      },
    });
    // And its step message, again, as a re-published outbox would bring it.
    const stepAgain = envelope({
      id: 'dup-2',
      type: 'step.execute',
      runId: run.id,
      nodeId: 'second',
      attempt: 1,
      createdAt: Date.now(),
      payload: {
        appId: 'app_test',
        task: 'core/transform',
        inputs: { value: 'one' },
        idempotencyKey: `${run.id}:second:1`,
      },
    });
    await engine.publish(STEP_RESULTS_TOPIC, run.id, JSON.stringify(duplicate));
    await engine.publish(stepTopic('core/transform'), run.id, JSON.stringify(stepAgain));
    // The worker that ran the attempt skips it when it comes again (same key, same partition),
    // and a stale report changes nothing.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const after = await engine.runs.getById(run.id);
    expect(after?.v).toBe(done.v);
    expect(after?.nodes.first?.result).toBe('one');
    expect(engine.executionsOf(run.id, 'first')).toBe(1);
    expect(engine.executionsOf(run.id, 'second')).toBe(1);
  });

  it('resumes a run failed at its last node without re-running completed nodes', async () => {
    const run = await engine.startRun({
      name: 'resumable',
      dag: {
        nodes: {
          a: transform('kept'),
          b: transform('${nodes.a.result}'),
          // Fails its first attempt only: the "cause" is fixed by the time of the resume.
          last: {
            task: 'core/fail',
            inputs: { code: 'upstream_down', fail_attempts: 1 },
            retry: { max_attempts: 1 },
          },
        },
        edges: [
          { from: 'a', to: 'b' },
          { from: 'b', to: 'last' },
        ],
      },
    });
    const failed = await engine.waitForRun(run.id);
    expect(failed.status).toBe('failed');
    expect(failed.nodes.last?.error?.code).toBe('upstream_down');

    const resumed = await engine.runEngine.resume('app_test', run.id);
    expect(resumed && 'run' in resumed && resumed.run.status).toBe('running');
    const done = await engine.waitForRun(run.id, (r) => r.status === 'completed');
    expect(done.nodes.last).toMatchObject({ status: 'completed', attempt: 2 });
    expect(done.nodes.a?.result).toBe('kept');
    expect(engine.executionsOf(run.id, 'a')).toBe(1);
    expect(engine.executionsOf(run.id, 'b')).toBe(1);
    expect(await engine.runEngine.resume('app_test', run.id)).toMatchObject({
      notResumable: { status: 'completed' },
    });
  });
});
