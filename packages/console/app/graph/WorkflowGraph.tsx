import {
  applyNodeChanges,
  Background,
  Controls,
  MarkerType,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type Connection,
  type Edge,
  type EdgeChange,
  type NodeChange,
} from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { NodeStatus, WorkflowDefinition } from '@weft/core';
import { edgeKey, type GraphProblems } from '../editor/graph-problems';
import { statusLabel } from '../ui/format';
import { autoLayout, NODE_HEIGHT, NODE_WIDTH, type Point } from './auto-layout';
import { TaskNode, type TaskFlowNode, type TaskNodeData } from './TaskNode';

const NODE_TYPES = { task: TaskNode };

/** What the canvas shows and what it reports back; editing callbacks only in the editor. */
export interface WorkflowGraphProps {
  definition: WorkflowDefinition;
  /** The editor's validation findings. */
  problems?: GraphProblems;
  /** A run's node statuses. */
  statuses?: Readonly<Record<string, NodeStatus>>;
  editable: boolean;
  selectedNode?: string | undefined;
  selectedEdge?: string | undefined;
  onSelectNode?: (id: string | undefined) => void;
  onSelectEdge?: (key: string | undefined) => void;
  onConnect?: (from: string, to: string) => void;
  onRemoveNodes?: (ids: string[]) => void;
  onRemoveEdges?: (keys: string[]) => void;
  /** Incremented to lay the graph out again (the Auto-layout button). */
  layoutRequest?: number;
  label: string;
}

function nodeData(
  definition: WorkflowDefinition,
  id: string,
  shown: Pick<WorkflowGraphProps, 'problems' | 'statuses' | 'editable'>,
): TaskNodeData {
  const node = definition.dag.nodes[id];
  // The JSON tab may hand over any JSON in a node's fields: show only what has the right type.
  const task = typeof node?.task === 'string' ? node.task : '';
  const model = typeof node?.model_id === 'string' ? node.model_id : undefined;
  const status = shown.statuses?.[id];
  return {
    nodeId: id,
    task,
    ...(model === undefined ? {} : { model }),
    problems: shown.problems?.byNode.get(id) ?? [],
    ...(status === undefined ? {} : { status }),
    connectable: shown.editable,
  };
}

function ariaLabelOf(data: TaskNodeData): string {
  const parts = [`Node ${data.nodeId}`, data.task || 'no task type'];
  if (data.model) parts.push(`model ${data.model}`);
  if (data.status) parts.push(statusLabel(data.status));
  if (data.problems.length > 0) parts.push(data.problems.map((p) => p.message).join('; '));
  return parts.join(', ');
}

function overlaps(spot: Point, nodes: readonly TaskFlowNode[]): boolean {
  return nodes.some((node) => {
    const width = node.measured?.width ?? NODE_WIDTH;
    const height = node.measured?.height ?? NODE_HEIGHT;
    return (
      spot.x < node.position.x + width + 16 &&
      node.position.x < spot.x + NODE_WIDTH + 16 &&
      spot.y < node.position.y + height + 16 &&
      node.position.y < spot.y + NODE_HEIGHT + 16
    );
  });
}

/** Near `around` (the middle of what the user sees), moved down until it covers no node. */
function freeSpot(nodes: readonly TaskFlowNode[], around: Point): Point {
  let spot = around;
  for (let tries = 0; tries < 30 && overlaps(spot, nodes); tries++) {
    spot = { x: spot.x, y: spot.y + NODE_HEIGHT / 2 };
  }
  return spot;
}

function GraphCanvas(props: WorkflowGraphProps) {
  const { definition, problems, statuses, editable, selectedNode, selectedEdge } = props;
  const layoutRequest = props.layoutRequest ?? 0;
  const { onSelectNode, onSelectEdge, onConnect, onRemoveNodes, onRemoveEdges } = props;
  const flow = useReactFlow();
  const [nodes, setNodes] = useState<TaskFlowNode[]>([]);
  const wrapper = useRef<HTMLDivElement>(null);

  /** The flow position at the middle of the visible canvas, where a new node goes. */
  const visibleCentre = (): Point => {
    const rect = wrapper.current?.getBoundingClientRect();
    if (!rect || rect.width === 0) return { x: 40, y: 40 };
    const centre = flow.screenToFlowPosition({
      x: rect.left + rect.width / 2,
      y: rect.top + rect.height / 2,
    });
    return { x: centre.x - NODE_WIDTH / 2, y: centre.y - NODE_HEIGHT / 2 };
  };

  // Nodes are state (React Flow records their measured size on them); the definition decides
  // which exist and what they show, positions stay where the user put them.
  useEffect(() => {
    const centre = visibleCentre();
    setNodes((previous) => {
      const ids = Object.keys(definition.dag.nodes);
      const byId = new Map(previous.map((node) => [node.id, node]));
      const added = ids.filter((id) => !byId.has(id));
      const relayout = added.length > 0 && added.length === ids.length;
      const laid = relayout ? autoLayout(ids, definition.dag.edges) : undefined;
      // One node gone and one come in the same change is a rename: it keeps its place.
      const gone = previous.filter((node) => !Object.hasOwn(definition.dag.nodes, node.id));
      const renamedFrom = added.length === 1 && gone.length === 1 ? gone[0] : undefined;
      const placed: TaskFlowNode[] = [...previous];
      return ids.map((id) => {
        const data = nodeData(definition, id, { problems, statuses, editable });
        const selected = id === selectedNode;
        const old = byId.get(id);
        if (old !== undefined) return { ...old, data, selected, ariaLabel: ariaLabelOf(data) };
        const node: TaskFlowNode = {
          id,
          type: 'task' as const,
          position: laid?.get(id) ?? renamedFrom?.position ?? freeSpot(placed, centre),
          data,
          selected,
          ariaLabel: ariaLabelOf(data),
        };
        placed.push(node);
        return node;
      });
    });
  }, [definition, problems, statuses, editable, selectedNode]);

  // A new layout (first load, Auto-layout, a definition replaced from the JSON tab) is fitted.
  const [fitRequest, setFitRequest] = useState(0);
  useEffect(() => {
    if (layoutRequest === 0) return;
    setNodes((previous) => {
      const sizes = new Map(
        previous.map((n) => [
          n.id,
          { width: n.measured?.width ?? NODE_WIDTH, height: n.measured?.height ?? NODE_HEIGHT },
        ]),
      );
      const laid = autoLayout(
        previous.map((n) => n.id),
        definition.dag.edges,
        sizes,
      );
      return previous.map((n) => ({ ...n, position: laid.get(n.id) ?? n.position }));
    });
    setFitRequest((n) => n + 1);
    // Only a new request lays out: edges changing later must not move the nodes.
  }, [layoutRequest]);
  useEffect(() => {
    if (fitRequest === 0) return;
    const frame = requestAnimationFrame(
      () => void flow.fitView({ padding: 0.2, maxZoom: 1.1, duration: 200 }),
    );
    return () => cancelAnimationFrame(frame);
  }, [fitRequest, flow]);

  const edges = useMemo<Edge[]>(() => {
    const ids = new Set(Object.keys(definition.dag.nodes));
    const seen = new Set<string>();
    const list: Edge[] = [];
    for (const edge of definition.dag.edges) {
      const id = edgeKey(edge.from, edge.to);
      if (!ids.has(edge.from) || !ids.has(edge.to) || seen.has(id)) continue;
      seen.add(id);
      const edgeProblems = problems?.byEdge.get(id) ?? [];
      const done = statuses?.[edge.from] === 'completed';
      list.push({
        id,
        source: edge.from,
        target: edge.to,
        selected: id === selectedEdge,
        animated: statuses?.[edge.to] === 'running',
        className: [
          edgeProblems.some((p) => p.severity === 'error') ? 'edge-error' : '',
          done ? 'edge-done' : '',
        ].join(' '),
        markerEnd: { type: MarkerType.ArrowClosed, width: 18, height: 18 },
        ariaLabel: `Edge from ${edge.from} to ${edge.to}${edgeProblems.length > 0 ? `: ${edgeProblems.map((p) => p.message).join('; ')}` : ''}`,
      });
    }
    return list;
  }, [definition, problems, statuses, selectedEdge]);

  const onNodesChange = useCallback(
    (changes: NodeChange<TaskFlowNode>[]) => {
      const removed = changes.filter((c) => c.type === 'remove').map((c) => c.id);
      if (removed.length > 0 && editable) onRemoveNodes?.(removed);
      const selects = changes.filter((c) => c.type === 'select');
      const chosen = selects.find((c) => c.selected);
      if (chosen) onSelectNode?.(chosen.id);
      else if (selects.some((c) => !c.selected && c.id === selectedNode)) onSelectNode?.(undefined);
      const rest = changes.filter((c) => c.type !== 'remove' && c.type !== 'select');
      if (rest.length > 0) setNodes((previous) => applyNodeChanges(rest, previous));
    },
    [editable, onRemoveNodes, onSelectNode, selectedNode],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      const removed = changes.filter((c) => c.type === 'remove').map((c) => c.id);
      if (removed.length > 0 && editable) onRemoveEdges?.(removed);
      const selects = changes.filter((c) => c.type === 'select');
      const chosen = selects.find((c) => c.selected);
      if (chosen) onSelectEdge?.(chosen.id);
      else if (selects.some((c) => !c.selected && c.id === selectedEdge)) onSelectEdge?.(undefined);
    },
    [editable, onRemoveEdges, onSelectEdge, selectedEdge],
  );

  const handleConnect = useCallback(
    (connection: Connection) => {
      if (connection.source && connection.target) onConnect?.(connection.source, connection.target);
    },
    [onConnect],
  );

  return (
    <div ref={wrapper} className="graph">
      <ReactFlow<TaskFlowNode, Edge>
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={handleConnect}
        nodesConnectable={editable}
        edgesFocusable
        nodesFocusable
        elementsSelectable
        deleteKeyCode={editable ? ['Delete', 'Backspace'] : null}
        fitView
        fitViewOptions={{ padding: 0.2, maxZoom: 1.1 }}
        minZoom={0.25}
        maxZoom={1.75}
        aria-label={props.label}
      >
        <Background gap={20} size={1} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}

/** The workflow's DAG on a React Flow canvas: editable in the editor, read-only in a run. */
export function WorkflowGraph(props: WorkflowGraphProps) {
  return (
    <ReactFlowProvider>
      <GraphCanvas {...props} />
    </ReactFlowProvider>
  );
}
