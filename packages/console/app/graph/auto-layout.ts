import dagre from '@dagrejs/dagre';

/** A node's size on the canvas, before it is measured. */
export const NODE_WIDTH = 232;
export const NODE_HEIGHT = 84;

/** Where a node sits on the canvas (its top-left corner). */
export interface Point {
  x: number;
  y: number;
}

/**
 * Positions for a DAG, left to right in execution order (dagre's layered layout). Cycles are
 * tolerated: dagre breaks them for layout, and the validator reports them.
 */
export function autoLayout(
  nodeIds: readonly string[],
  edges: readonly { from: string; to: string }[],
  sizes: ReadonlyMap<string, { width: number; height: number }> = new Map(),
): Map<string, Point> {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: 'LR', nodesep: 36, ranksep: 80, marginx: 16, marginy: 16 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const id of nodeIds) {
    const size = sizes.get(id) ?? { width: NODE_WIDTH, height: NODE_HEIGHT };
    graph.setNode(id, { width: size.width, height: size.height });
  }
  const present = new Set(nodeIds);
  for (const edge of edges) {
    if (present.has(edge.from) && present.has(edge.to) && edge.from !== edge.to) {
      graph.setEdge(edge.from, edge.to);
    }
  }
  dagre.layout(graph);
  const positions = new Map<string, Point>();
  for (const id of nodeIds) {
    const laid = graph.node(id) as { x: number; y: number; width: number; height: number };
    // dagre gives centres; the canvas wants corners.
    positions.set(id, { x: laid.x - laid.width / 2, y: laid.y - laid.height / 2 });
  }
  return positions;
}
