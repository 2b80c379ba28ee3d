import type { WorkflowDefinition } from './definition-types';

/**
 * Adjacency of a definition, by node position (declaration order). Edges that name unknown
 * nodes are left out (validation reports them); duplicate edges count once.
 */
export interface GraphIndex {
  ids: readonly string[];
  position: ReadonlyMap<string, number>;
  parents: readonly (readonly number[])[];
  children: readonly (readonly number[])[];
}

interface CachedIndex {
  index: GraphIndex;
  nodes: object;
  edges: object;
  edgeCount: number;
  nodeCount: number;
}

const cache = new WeakMap<WorkflowDefinition, CachedIndex>();

/** Options for {@link buildGraphIndex}. */
export interface GraphIndexOptions {
  /** Leave out edges from a node to itself. Default: false (a self edge is a cycle of one). */
  ignoreSelfEdges?: boolean;
}

/** Builds the adjacency of a definition in O(nodes + edges). */
export function buildGraphIndex(
  definition: WorkflowDefinition,
  options: GraphIndexOptions = {},
): GraphIndex {
  const ids = Object.keys(definition.dag.nodes);
  const position = new Map<string, number>();
  ids.forEach((id, i) => position.set(id, i));
  const parents: number[][] = ids.map(() => []);
  const children: number[][] = ids.map(() => []);
  const seen = new Set<number>();
  const n = ids.length;
  for (const edge of definition.dag.edges) {
    const from = position.get(edge.from);
    const to = position.get(edge.to);
    if (from === undefined || to === undefined) continue;
    if (from === to && options.ignoreSelfEdges === true) continue;
    const key = from * n + to;
    if (seen.has(key)) continue;
    seen.add(key);
    (children[from] as number[]).push(to);
    (parents[to] as number[]).push(from);
  }
  return { ids, position, parents, children };
}

/**
 * The cached index of a definition. The cache is keyed by the definition object and rebuilt when
 * its nodes or edges object is replaced or resized, so treat definitions as immutable values.
 */
export function graphOf(definition: WorkflowDefinition): GraphIndex {
  const { nodes, edges } = definition.dag;
  const cached = cache.get(definition);
  if (
    cached !== undefined &&
    cached.nodes === nodes &&
    cached.edges === edges &&
    cached.edgeCount === edges.length &&
    cached.nodeCount === Object.keys(nodes).length
  ) {
    return cached.index;
  }
  const index = buildGraphIndex(definition);
  cache.set(definition, {
    index,
    nodes,
    edges,
    edgeCount: edges.length,
    nodeCount: index.ids.length,
  });
  return index;
}

function idsAt(index: GraphIndex, positions: Iterable<number>): string[] {
  return [...positions].sort((a, b) => a - b).map((i) => index.ids[i] as string);
}

function reach(index: GraphIndex, start: string, next: readonly (readonly number[])[]): string[] {
  const from = index.position.get(start);
  if (from === undefined) return [];
  const seen = new Set<number>();
  const queue = [...(next[from] ?? [])];
  while (queue.length > 0) {
    const at = queue.pop() as number;
    if (seen.has(at)) continue;
    seen.add(at);
    for (const further of next[at] ?? []) if (!seen.has(further)) queue.push(further);
  }
  return idsAt(index, seen);
}

/** Direct upstream nodes of `id`, in declaration order. */
export function parentsOf(definition: WorkflowDefinition, id: string): string[] {
  const index = graphOf(definition);
  const at = index.position.get(id);
  return at === undefined ? [] : idsAt(index, index.parents[at] ?? []);
}

/** Direct downstream nodes of `id`, in declaration order. */
export function childrenOf(definition: WorkflowDefinition, id: string): string[] {
  const index = graphOf(definition);
  const at = index.position.get(id);
  return at === undefined ? [] : idsAt(index, index.children[at] ?? []);
}

/** Every node reachable from `id` through edges, in declaration order. */
export function descendantsOf(definition: WorkflowDefinition, id: string): string[] {
  const index = graphOf(definition);
  return reach(index, id, index.children);
}

/** Every node from which `id` is reachable through edges, in declaration order. */
export function ancestorsOf(definition: WorkflowDefinition, id: string): string[] {
  const index = graphOf(definition);
  return reach(index, id, index.parents);
}

/** Positions in topological order (Kahn, ties by declaration order), or undefined when cyclic. */
export function topologicalPositions(index: GraphIndex): number[] | undefined {
  const n = index.ids.length;
  const waiting = index.parents.map((parents) => parents.length);
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (waiting[i] === 0) order.push(i);
  for (let head = 0; head < order.length; head++) {
    for (const child of index.children[order[head] as number] ?? []) {
      const left = (waiting[child] as number) - 1;
      waiting[child] = left;
      if (left === 0) order.push(child);
    }
  }
  return order.length === n ? order : undefined;
}

/** Node ids so that every edge goes forward, or undefined when the graph has a cycle. */
export function topologicalOrder(definition: WorkflowDefinition): string[] | undefined {
  const index = graphOf(definition);
  const order = topologicalPositions(index);
  return order?.map((i) => index.ids[i] as string);
}

/** Positions of the nodes on one cycle, in edge order, or undefined when acyclic. */
export function cycleIn(index: GraphIndex): number[] | undefined {
  const n = index.ids.length;
  const state = new Uint8Array(n); // 0 unvisited, 1 on the current path, 2 done
  const path: number[] = [];
  const cursor: number[] = [];
  for (let root = 0; root < n; root++) {
    if (state[root] !== 0) continue;
    path.push(root);
    cursor.push(0);
    state[root] = 1;
    while (path.length > 0) {
      const top = path.length - 1;
      const node = path[top] as number;
      const next = index.children[node] ?? [];
      const i = cursor[top] as number;
      if (i >= next.length) {
        state[node] = 2;
        path.pop();
        cursor.pop();
        continue;
      }
      cursor[top] = i + 1;
      const child = next[i] as number;
      if (state[child] === 1) return path.slice(path.indexOf(child));
      if (state[child] === 0) {
        state[child] = 1;
        path.push(child);
        cursor.push(0);
      }
    }
  }
  return undefined;
}

/** The nodes on one cycle in edge order (the last has an edge back to the first), or undefined. */
export function findCycle(definition: WorkflowDefinition): string[] | undefined {
  const index = graphOf(definition);
  return cycleIn(index)?.map((i) => index.ids[i] as string);
}

/**
 * For an acyclic index, a function telling whether `ancestor` runs before `node` (is reachable
 * backwards through edges). Built once with bitsets, so each query is O(1).
 */
export function ancestryOf(
  index: GraphIndex,
  order: readonly number[],
): (ancestor: number, node: number) => boolean {
  const n = index.ids.length;
  const words = Math.ceil(n / 32);
  const bits = new Uint32Array(n * words);
  for (const node of order) {
    const base = node * words;
    for (const parent of index.parents[node] ?? []) {
      const parentBase = parent * words;
      for (let w = 0; w < words; w++)
        bits[base + w] = (bits[base + w] as number) | (bits[parentBase + w] as number);
      bits[base + (parent >>> 5)] = (bits[base + (parent >>> 5)] as number) | (1 << (parent & 31));
    }
  }
  return (ancestor, node) =>
    (((bits[node * words + (ancestor >>> 5)] as number) >>> (ancestor & 31)) & 1) === 1;
}
