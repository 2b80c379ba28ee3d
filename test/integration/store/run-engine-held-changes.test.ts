import { leaseAnswer } from '@weft/core';
import { runEngines } from '../../support/run-engines';
import { chainDefinition, stepClaimed, stepSucceeded } from '../../support/run-fixtures';

/**
 * Held changes: a change that implies no message (a claim granted, a heartbeat) is answered at
 * once, on the run as the engine knows it, and written with the run's next change, so that a step
 * costs one write, not two. `durable` says when it is written; nothing is lost on the way.
 */

const chain = chainDefinition(['a', 'b']);

describe('changes held for the run’s next write', () => {
  const engines = runEngines();
  const { engine, engineOn, orchestratorOn } = engines;
  const createRun = async (): Promise<string> => {
    const { run } = await engineOn(engine.connection).create({
      appId: 'app_test',
      definition: chain,
      workflow: { ephemeral: true, name: chain.name },
      input: {},
    });
    return run.id;
  };
  /** Whether `promise` has settled after the turns of the event loop already queued. */
  const settled = async (promise: Promise<void>) => {
    let done = false;
    void promise.then(() => (done = true));
    await new Promise((resolve) => setImmediate(resolve));
    return done;
  };

  it('grants a claim before writing it, and writes it with the step’s result in one update', async () => {
    const runId = await createRun();
    const orchestrator = orchestratorOn(engines.counted);
    const claim = stepClaimed(runId, 'a', 'w:1');
    engines.commands.length = 0;
    const { applied, durable } = await orchestrator.applyStepResultSoon(claim);
    // Read once (the gateway wrote the run), never written yet: the answer comes first.
    expect(engines.commands).toEqual(['find', 'find']);
    expect(applied?.changed).toBe(true);
    expect(leaseAnswer(applied?.run, claim)).toBe('granted');
    expect((await engine.runs.getById(runId))?.nodes.a?.status).toBe('queued');
    expect(await settled(durable)).toBe(false);

    // A second claim of the attempt, by another holder, is answered from what is held.
    const other = stepClaimed(runId, 'a', 'w:2');
    const second = await orchestrator.applyStepResultSoon(other);
    expect(leaseAnswer(second.applied?.run, other)).toBe('held');
    expect(engines.commands).toEqual(['find', 'find']);

    const done = await orchestrator.applyStepResultSoon(stepSucceeded(runId, 'a'));
    expect(engines.commands).toEqual(['find', 'find', 'update']);
    await durable;
    await done.durable;
    const stored = await engine.runs.getById(runId);
    expect(stored?.v).toBe(2);
    expect(stored?.nodes.a?.status).toBe('completed');
    // The claim's own record came through: when the attempt started, and who held it.
    expect(stored?.nodes.a?.startedAt).toBe(applied?.run.nodes.a?.startedAt);
    expect(stored?.nodes.b?.status).toBe('queued');
  });

  it('reads the runs of claims that arrive together in one query', async () => {
    const runIds = await Promise.all([createRun(), createRun(), createRun()]);
    const orchestrator = orchestratorOn(engines.counted);
    engines.commands.length = 0;
    const answers = await Promise.all(
      runIds.map((runId) => orchestrator.applyStepResultSoon(stepClaimed(runId, 'a', 'w:1'))),
    );
    // The three runs, then the definition they share; nothing written yet.
    expect(engines.commands).toEqual(['find', 'find']);
    for (const { applied } of answers) expect(applied?.run.nodes.a?.status).toBe('running');
  });

  it('writes a held change on its own soon when nothing follows', async () => {
    const runId = await createRun();
    const orchestrator = orchestratorOn(engine.connection);
    const { durable } = await orchestrator.applyStepResultSoon(stepClaimed(runId, 'a', 'w:1'));
    await durable;
    const stored = await engine.runs.getById(runId);
    expect(stored?.nodes.a?.status).toBe('running');
    expect(stored?.nodes.a?.lease?.holder).toBe('w:1');
  });

  it('computes a held change again when another writer moved the run on first', async () => {
    const runId = await createRun();
    const orchestrator = orchestratorOn(engine.connection);
    const { applied, durable } = await orchestrator.applyStepResultSoon(
      stepClaimed(runId, 'a', 'w:1'),
    );
    expect(applied?.run.nodes.a?.status).toBe('running');
    // The gateway cancels the run meanwhile.
    await engineOn(engine.connection).cancel('app_test', runId);
    await durable;
    const stored = await engine.runs.getById(runId);
    expect(stored?.status).toBe('cancelled');
    expect(stored?.nodes.a?.status).toBe('cancelled');
    expect(stored?.nodes.a?.lease).toBeUndefined();
  });

  it('writes what it holds at once when what it learnt may be stale, then reads afresh', async () => {
    const runId = await createRun();
    const orchestrator = orchestratorOn(engines.counted);
    const { durable } = await orchestrator.applyStepResultSoon(stepClaimed(runId, 'a', 'w:1'));
    engines.commands.length = 0;
    orchestrator.forgetLearnt();
    await durable;
    expect(engines.commands).toEqual(['update']);
    expect((await engine.runs.getById(runId))?.nodes.a?.lease?.holder).toBe('w:1');

    // Another orchestrator had the partition meanwhile and the attempt moved on.
    await engineOn(engine.connection).applyStepResult(stepSucceeded(runId, 'a'));
    engines.commands.length = 0;
    const late = stepClaimed(runId, 'a', 'w:2');
    const { applied } = await orchestrator.applyStepResultSoon(late);
    expect(engines.commands[0]).toBe('find');
    expect(leaseAnswer(applied?.run, late)).toBe('closed');
  });

  it('writes what it holds when it stops', async () => {
    const runId = await createRun();
    const orchestrator = engineOn(engine.connection);
    orchestrator.start({ sweepAfterMs: 3_600_000, flushEveryMs: 3_600_000 });
    const { durable } = await orchestrator.applyStepResultSoon(stepClaimed(runId, 'a', 'w:1'));
    await orchestrator.stop();
    expect(await settled(durable)).toBe(true);
    expect((await engine.runs.getById(runId))?.nodes.a?.status).toBe('running');
  });
});
