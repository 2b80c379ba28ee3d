import fc from 'fast-check';
import type { OnError, WorkflowDefinition } from './definition-types';
import { nodesToSkip, readyNodes } from './ready-nodes';
import { runOutcome, type NodeProgress, type RunProgress } from './run-progress';

interface RandomRun {
  definition: WorkflowDefinition;
  edges: [number, number][];
  ids: string[];
  succeeds: boolean[];
  /** Choices of which in-flight node finishes next. */
  picks: number[];
}

/** Random DAGs: edges only from a lower to a higher index, nodes declared in a shuffled order. */
const randomRun: fc.Arbitrary<RandomRun> = fc.integer({ min: 1, max: 14 }).chain((n) => {
  const indexes = Array.from({ length: n }, (_, i) => i);
  return fc
    .record({
      edges: fc
        .uniqueArray(
          fc
            .tuple(fc.nat(n - 1), fc.nat(n - 1))
            .map(([a, b]): [number, number] => (a < b ? [a, b] : [b, a])),
          { maxLength: n * 2, selector: ([a, b]) => `${a}-${b}` },
        )
        .map((pairs) => pairs.filter(([a, b]) => a !== b)),
      onError: fc.array(fc.constantFrom<OnError>('fail', 'continue'), {
        minLength: n,
        maxLength: n,
      }),
      succeeds: fc.array(
        fc.nat(4).map((x) => x > 0),
        { minLength: n, maxLength: n },
      ),
      declaration: fc.shuffledSubarray(indexes, { minLength: n, maxLength: n }),
      picks: fc.array(fc.nat(), { minLength: n, maxLength: n }),
    })
    .map(({ edges, onError, succeeds, declaration, picks }) => {
      const ids = indexes.map((i) => `node_${i}`);
      const nodes: WorkflowDefinition['dag']['nodes'] = {};
      for (const i of declaration) {
        nodes[ids[i] as string] = {
          task: 'core/delay',
          inputs: { ms: 0 },
          on_error: onError[i],
        };
      }
      const definition: WorkflowDefinition = {
        name: 'random',
        dag: {
          nodes,
          edges: edges.map(([a, b]) => ({ from: ids[a] as string, to: ids[b] as string })),
        },
      };
      return { definition, edges, ids, succeeds, picks };
    });
});

function descendants(edges: [number, number][], start: number): Set<number> {
  const found = new Set<number>();
  const stack = [start];
  while (stack.length > 0) {
    const at = stack.pop() as number;
    for (const [from, to] of edges) {
      if (from === at && !found.has(to)) {
        found.add(to);
        stack.push(to);
      }
    }
  }
  return found;
}

/** Runs the simulation the orchestrator would: enqueue ready nodes, finish one at a time, skip after continue-failures. */
function simulate(run: RandomRun) {
  const { definition, edges, ids, succeeds, picks } = run;
  const index = new Map(ids.map((id, i) => [id, i]));
  const progress: RunProgress = {};
  const set = (id: string, status: NodeProgress['status']): void => {
    progress[id] = { status, attempt: progress[id]?.attempt ?? 0 };
  };
  const readyCount = new Map<string, number>();
  const skipped = new Set<number>();
  const continueFailures: number[] = [];
  const inFlight: string[] = [];
  let outcome: 'completed' | 'failed' | undefined;
  for (let step = 0; step < ids.length * 3 + 3; step++) {
    outcome = runOutcome(definition, progress);
    if (outcome !== undefined) break;
    for (const id of readyNodes(definition, progress)) {
      readyCount.set(id, (readyCount.get(id) ?? 0) + 1);
      const i = index.get(id) as number;
      for (const [from, to] of edges) {
        if (to === i) expect(progress[ids[from] as string]?.status).toBe('completed');
      }
      set(id, 'queued');
      inFlight.push(id);
    }
    expect(inFlight.length).toBeGreaterThan(0);
    const [id] = inFlight.splice((picks[step % picks.length] ?? 0) % inFlight.length, 1) as [
      string,
    ];
    const i = index.get(id) as number;
    if (succeeds[i] === true) {
      set(id, 'completed');
      continue;
    }
    set(id, 'failed');
    if (definition.dag.nodes[id]?.on_error === 'continue') {
      continueFailures.push(i);
      for (const skip of nodesToSkip(definition, progress, id)) {
        set(skip, 'skipped');
        skipped.add(index.get(skip) as number);
      }
    }
  }
  return { outcome, progress, readyCount, skipped, continueFailures };
}

describe('run simulation over random DAGs', () => {
  it('readies each node once, after its parents; skips exactly descendants; always ends', () => {
    fc.assert(
      fc.property(randomRun, (run) => {
        const { outcome, progress, readyCount, skipped, continueFailures } = simulate(run);
        expect(outcome).toBeDefined();
        for (const count of readyCount.values()) expect(count).toBe(1);

        const expectedSkips = new Set<number>();
        for (const failed of continueFailures)
          for (const d of descendants(run.edges, failed)) expectedSkips.add(d);
        expect([...skipped].sort()).toEqual([...expectedSkips].sort());
        for (const i of skipped) expect(readyCount.has(run.ids[i] as string)).toBe(false);

        const failedHard = run.ids.some(
          (id) =>
            progress[id]?.status === 'failed' && run.definition.dag.nodes[id]?.on_error === 'fail',
        );
        expect(outcome).toBe(failedHard ? 'failed' : 'completed');
        if (outcome === 'completed') {
          run.ids.forEach((id, i) => {
            const status = progress[id]?.status;
            if (skipped.has(i)) expect(status).toBe('skipped');
            else expect(readyCount.get(id)).toBe(1);
            expect(['completed', 'failed', 'skipped']).toContain(status);
          });
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('readyNodes', () => {
  const definition: WorkflowDefinition = {
    name: 'diamond',
    dag: {
      nodes: {
        a: { task: 'core/delay', inputs: { ms: 0 } },
        b: { task: 'core/delay', inputs: { ms: 0 } },
        c: { task: 'core/delay', inputs: { ms: 0 }, on_error: 'continue' },
        d: { task: 'core/delay', inputs: { ms: 0 } },
      },
      edges: [
        { from: 'a', to: 'b' },
        { from: 'a', to: 'c' },
        { from: 'b', to: 'd' },
        { from: 'c', to: 'd' },
      ],
    },
  };

  it('starts with the roots and waits for every parent', () => {
    expect(readyNodes(definition, {})).toEqual(['a']);
    expect(readyNodes(definition, { a: { status: 'completed', attempt: 1 } })).toEqual(['b', 'c']);
    expect(
      readyNodes(definition, {
        a: { status: 'completed', attempt: 1 },
        b: { status: 'completed', attempt: 1 },
        c: { status: 'running', attempt: 1 },
      }),
    ).toEqual([]);
  });

  it('skips a node with one skipped parent even when another completed', () => {
    const progress: RunProgress = {
      a: { status: 'completed', attempt: 1 },
      b: { status: 'completed', attempt: 1 },
      c: { status: 'failed', attempt: 3 },
    };
    expect(nodesToSkip(definition, progress, 'c')).toEqual(['d']);
    expect(runOutcome(definition, { ...progress, d: { status: 'skipped', attempt: 0 } })).toBe(
      'completed',
    );
  });

  it('ignores prototype names in progress', () => {
    const odd: WorkflowDefinition = {
      name: 'odd',
      dag: { nodes: { toString: { task: 'core/delay', inputs: { ms: 0 } } }, edges: [] },
    };
    expect(readyNodes(odd, {})).toEqual(['toString']);
  });
});
