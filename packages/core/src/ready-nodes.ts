import type { WorkflowDefinition } from './definition-types';
import { descendantsOf, graphOf } from './graph';
import { isTerminalNodeStatus, statusOf, type RunProgress } from './run-progress';

/** Pending nodes whose parents have all completed, in declaration order: the ones to enqueue now. */
export function readyNodes(definition: WorkflowDefinition, progress: RunProgress): string[] {
  const index = graphOf(definition);
  const ready: string[] = [];
  index.ids.forEach((id, at) => {
    if (statusOf(progress, id) !== 'pending') return;
    const parents = index.parents[at] ?? [];
    if (parents.every((parent) => statusOf(progress, index.ids[parent] as string) === 'completed'))
      ready.push(id);
  });
  return ready;
}

/**
 * Nodes to mark `skipped` after `failedNodeId` failed under on_error `continue`: every descendant
 * not yet terminal. A node with one skipped parent is skipped even if its other parents completed.
 */
export function nodesToSkip(
  definition: WorkflowDefinition,
  progress: RunProgress,
  failedNodeId: string,
): string[] {
  return descendantsOf(definition, failedNodeId).filter(
    (id) => !isTerminalNodeStatus(statusOf(progress, id)),
  );
}
