import type { NodeStatus } from '@weft/contract';
import { onErrorOf, type WorkflowDefinition } from './definition-types';
import { graphOf, topologicalPositions } from './graph';

// The statuses are the API's: one list, in the contract.
export type { NodeStatus, RunStatus } from '@weft/contract';
export { isTerminalRunStatus } from '@weft/contract';

/** Where one node of a run stands. `attempt` counts attempts started (0 before the first). */
export interface NodeProgress {
  status: NodeStatus;
  attempt: number;
}

/** Progress of every node of a run, by node id. A node without an entry is `pending`. */
export type RunProgress = Record<string, NodeProgress>;

const TERMINAL_NODE: ReadonlySet<NodeStatus> = new Set([
  'completed',
  'failed',
  'skipped',
  'cancelled',
]);

/** True for statuses a node never leaves. */
export function isTerminalNodeStatus(status: NodeStatus): boolean {
  return TERMINAL_NODE.has(status);
}

/** A node's status in `progress` (own entries only), `pending` when it has none. */
export function statusOf(progress: RunProgress, id: string): NodeStatus {
  return Object.hasOwn(progress, id) ? (progress[id] as NodeProgress).status : 'pending';
}

/**
 * The run's outcome once no node can progress: `failed` as soon as a node with on_error `fail`
 * has failed, `completed` when every node is terminal or blocked behind a failed, skipped or
 * cancelled parent (a `continue` failure does not fail the run), undefined while work remains.
 */
export function runOutcome(
  definition: WorkflowDefinition,
  progress: RunProgress,
): 'completed' | 'failed' | undefined {
  const index = graphOf(definition);
  for (const id of index.ids) {
    const node = definition.dag.nodes[id];
    if (node !== undefined && statusOf(progress, id) === 'failed' && onErrorOf(node) === 'fail')
      return 'failed';
  }
  const order = topologicalPositions(index) ?? index.ids.map((_, i) => i);
  const blocked = new Uint8Array(index.ids.length);
  for (const at of order) {
    const status = statusOf(progress, index.ids[at] as string);
    if (status === 'completed') continue;
    if (status === 'failed' || status === 'skipped' || status === 'cancelled') {
      blocked[at] = 1;
      continue;
    }
    if (status === 'pending' && (index.parents[at] ?? []).some((parent) => blocked[parent] === 1)) {
      blocked[at] = 1;
      continue;
    }
    return undefined;
  }
  return 'completed';
}
