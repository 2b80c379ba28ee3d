import type { WorkflowDefinition } from './definition-types';
import {
  ancestorsOf,
  buildGraphIndex,
  childrenOf,
  descendantsOf,
  findCycle,
  graphOf,
  parentsOf,
  topologicalOrder,
} from './graph';

function definition(ids: string[], edges: [string, string][]): WorkflowDefinition {
  const nodes: WorkflowDefinition['dag']['nodes'] = {};
  for (const id of ids) nodes[id] = { task: 'core/delay', inputs: { ms: 0 } };
  return { name: 'g', dag: { nodes, edges: edges.map(([from, to]) => ({ from, to })) } };
}

describe('graph queries', () => {
  const diamond = definition(
    ['d', 'c', 'b', 'a'],
    [
      ['a', 'b'],
      ['a', 'c'],
      ['b', 'd'],
      ['c', 'd'],
      ['a', 'b'],
    ],
  );

  it('answers parents, children, ancestors and descendants in declaration order', () => {
    expect(parentsOf(diamond, 'd')).toEqual(['c', 'b']);
    expect(childrenOf(diamond, 'a')).toEqual(['c', 'b']);
    expect(descendantsOf(diamond, 'a')).toEqual(['d', 'c', 'b']);
    expect(ancestorsOf(diamond, 'd')).toEqual(['c', 'b', 'a']);
    expect(parentsOf(diamond, 'nope')).toEqual([]);
    expect(descendantsOf(diamond, 'd')).toEqual([]);
  });

  it('orders nodes topologically', () => {
    const order = topologicalOrder(diamond) as string[];
    expect(order).toHaveLength(4);
    for (const edge of diamond.dag.edges)
      expect(order.indexOf(edge.from)).toBeLessThan(order.indexOf(edge.to));
    expect(findCycle(diamond)).toBeUndefined();
  });

  it('finds a cycle and names its nodes in edge order', () => {
    const cyclic = definition(
      ['a', 'b', 'c', 'd'],
      [
        ['a', 'b'],
        ['b', 'c'],
        ['c', 'd'],
        ['d', 'b'],
      ],
    );
    expect(findCycle(cyclic)).toEqual(['b', 'c', 'd']);
    expect(topologicalOrder(cyclic)).toBeUndefined();
    expect(findCycle(definition(['a'], [['a', 'a']]))).toEqual(['a']);
    expect(
      buildGraphIndex(definition(['a'], [['a', 'a']]), { ignoreSelfEdges: true }).children,
    ).toEqual([[]]);
  });

  it('ignores edges to unknown nodes', () => {
    expect(parentsOf(definition(['a'], [['x', 'a']]), 'a')).toEqual([]);
  });

  it('caches the index per definition and rebuilds it when edges change', () => {
    const def = definition(['a', 'b'], [['a', 'b']]);
    expect(graphOf(def)).toBe(graphOf(def));
    const next = { ...def, dag: { ...def.dag, edges: [] } };
    expect(childrenOf(next, 'a')).toEqual([]);
    def.dag.edges.push({ from: 'b', to: 'a' });
    expect(childrenOf(def, 'b')).toEqual(['a']);
  });

  it('handles a 1000-node chain without recursion limits', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `n${i}`);
    const chain = definition(
      ids,
      ids.slice(1).map((id, i) => [ids[i] as string, id]),
    );
    expect(topologicalOrder(chain)).toEqual(ids);
    expect(descendantsOf(chain, 'n0')).toHaveLength(999);
    chain.dag.edges.push({ from: 'n999', to: 'n0' });
    expect(findCycle({ ...chain })).toHaveLength(1000);
  });
});
