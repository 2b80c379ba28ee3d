import { applyStepResult } from '@weft/core';
import type { StoredRun } from '@weft/store';
import { runEngines } from '../../support/run-engines';
import { chainDefinition, stepSucceeded } from '../../support/run-fixtures';
import { uniqueName } from '../../support/test-infrastructure';

/**
 * Group commit: the transitions an engine is asked for in one turn of the event loop (the results
 * of a fetched batch, the timers found due) are written together, one compare-and-set per run in
 * one bulk write, with one read for the runs it has not written itself. Each still succeeds,
 * conflicts or fails on its own.
 */

const chain = chainDefinition(['a', 'b']);

describe('group commit of run transitions', () => {
  const engines = runEngines();
  const { engine, engineOn, orchestratorOn } = engines;
  const createRuns = async (count: number): Promise<string[]> => {
    const gateway = engineOn(engine.connection);
    const created = await Promise.all(
      Array.from({ length: count }, () =>
        gateway.create({
          appId: 'app_test',
          definition: chain,
          workflow: { ephemeral: true, name: chain.name },
          input: {},
        }),
      ),
    );
    return created.map(({ run }) => run.id);
  };
  /** What a status read returns: the run as stored, without the engine's outbox bookkeeping. */
  const asRead = ({ outbox: _outbox, outboxAt: _outboxAt, ...run }: StoredRun) => run;

  it('writes the runs of one turn in one bulk write, after one read, and keeps what it wrote', async () => {
    const ids = await createRuns(5);
    const orchestrator = orchestratorOn(engines.counted);
    engines.commands.length = 0;
    const applied = await Promise.all(
      ids.map((id) => orchestrator.applyStepResult(stepSucceeded(id, 'a'))),
    );
    // The runs, the definition they share, then one update for all five.
    expect(engines.commands).toEqual(['find', 'find', 'update']);
    for (const [index, id] of ids.entries()) {
      const stored = await engine.runs.getById(id);
      expect(applied[index]?.changed).toBe(true);
      expect(stored?.v).toBe(2);
      expect(stored?.nodes.a?.status).toBe('completed');
      expect(stored?.nodes.b?.status).toBe('queued');
      // The run the engine keeps without reading it back is the one stored.
      expect(asRead(applied[index]!.run)).toEqual(asRead(stored!));
    }

    // It wrote them last: the next turn's transitions need no read at all.
    engines.commands.length = 0;
    const ended = await Promise.all(
      ids.map((id) => orchestrator.applyStepResult(stepSucceeded(id, 'b'))),
    );
    expect(engines.commands).toEqual(['update']);
    for (const [index, id] of ids.entries()) {
      const stored = await engine.runs.getById(id);
      expect(stored?.status).toBe('completed');
      expect(asRead(ended[index]!.run)).toEqual(asRead(stored!));
    }
  });

  it('inserts runs started together in one command, and clears their published steps in one', async () => {
    const gateway = engineOn(engines.counted);
    engines.commands.length = 0;
    const created = await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        gateway.create({
          appId: 'app_test',
          definition: chain,
          workflow: { ephemeral: true, name: chain.name },
          input: {},
          idempotencyKey: uniqueName(`key-${index}`),
        }),
      ),
    );
    // Their keys, their shared definition (once, though six asked), the runs, the clears.
    expect(engines.commands.sort()).toEqual(['insert', 'insert', 'insert', 'update']);
    for (const { run, created: isNew } of created) {
      expect(isNew).toBe(true);
      const stored = await engine.runs.getById(run.id);
      expect(stored?.nodes.a?.status).toBe('queued');
      expect(stored?.outbox).toEqual({});
    }

    // A key asked for again in the same group answers with the first run; the others are new.
    const again = created[0]!.run;
    const repeated = await Promise.all([
      gateway.create({
        appId: 'app_test',
        definition: chain,
        workflow: { ephemeral: true, name: chain.name },
        input: {},
        idempotencyKey: again.idempotencyKey!,
      }),
      createRuns(1),
    ]);
    expect(repeated[0]).toMatchObject({ created: false, run: { id: again.id } });
  });

  it('applies again on its own a run another writer changed first; the others stand', async () => {
    const ids = await createRuns(4);
    const orchestrator = orchestratorOn(engines.counted);
    const other = engineOn(engine.connection);
    await Promise.all(ids.map((id) => orchestrator.applyStepResult(stepSucceeded(id, 'a'))));
    // Behind the orchestrator's back, one run is cancelled and another gets b's result.
    const [cancelled, raced] = ids;
    await other.cancel('app_test', cancelled!);
    await other.applyStepResult(stepSucceeded(raced!, 'b'));

    const applied = await Promise.all(
      ids.map((id) => orchestrator.applyStepResult(stepSucceeded(id, 'b'))),
    );
    expect(applied.map((outcome) => outcome?.changed)).toEqual([false, false, true, true]);
    expect(applied.map((outcome) => outcome?.run.status)).toEqual([
      'cancelled',
      'completed',
      'completed',
      'completed',
    ]);
    const stored = await Promise.all(ids.map((id) => engine.runs.getById(id)));
    expect(stored.map((run) => run?.status)).toEqual([
      'cancelled',
      'completed',
      'completed',
      'completed',
    ]);
    // Each run moved once per change that applied: created, a, then cancel or b.
    expect(stored.map((run) => run?.v)).toEqual([3, 3, 3, 3]);
  });

  it('composes the transitions of one run asked for in one turn into one write', async () => {
    const [id] = await createRuns(1);
    const [second] = await createRuns(1);
    const orchestrator = orchestratorOn(engines.counted);
    const report = stepSucceeded(id!, 'a');
    engines.commands.length = 0;
    const applied = await Promise.all([
      orchestrator.applyStepResult(report),
      orchestrator.applyStepResult(report),
      orchestrator.applyStepResult(stepSucceeded(second!, 'a')),
    ]);
    expect(engines.commands.filter((name) => name === 'update')).toHaveLength(1);
    // The same report twice: applied once, the second a no-op on the first's outcome.
    expect(applied.map((outcome) => outcome?.changed)).toEqual([true, false, true]);
    expect((await engine.runs.getById(id!))?.v).toBe(2);
  });

  it('fails a change that throws alone, and answers undefined for a run that does not exist', async () => {
    const ids = await createRuns(3);
    const orchestrator = orchestratorOn(engines.counted);
    const [broken, ...fine] = ids;
    const outcomes = await Promise.allSettled([
      orchestrator.transition(broken!, () => {
        throw new Error('a bad change');
      }),
      ...fine.map((id) => orchestrator.applyStepResult(stepSucceeded(id, 'a'))),
      orchestrator.transition(uniqueName('run'), (run, context) =>
        applyStepResult(run, stepSucceeded(run.id, 'a'), context),
      ),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    expect((outcomes[0] as PromiseRejectedResult).reason).toEqual(new Error('a bad change'));
    expect((outcomes[3] as PromiseFulfilledResult<unknown>).value).toBeUndefined();
    expect((await engine.runs.getById(broken!))?.v).toBe(1);
    for (const id of fine)
      expect((await engine.runs.getById(id))?.nodes.a?.status).toBe('completed');
  });

  it('answers a run of another app as missing, in a batch as alone', async () => {
    const ids = await createRuns(2);
    const orchestrator = orchestratorOn(engines.counted);
    const [mine, theirs] = await Promise.all([
      orchestrator.cancel('app_test', ids[0]!),
      orchestrator.cancel('app_other', ids[1]!),
    ]);
    expect(mine?.status).toBe('cancelled');
    expect(theirs).toBeUndefined();
    expect((await engine.runs.getById(ids[1]!))?.status).toBe('pending');
  });
});
