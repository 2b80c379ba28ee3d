import { checkDefinition, envelope, type WorkflowDefinition } from '@weft/core';
import { uniqueName } from './unique-name';

/** A checked workflow of `core/transform` nodes, each after the one before: a → b → … */
export function chainDefinition(nodeIds: readonly string[]): WorkflowDefinition {
  const checked = checkDefinition({
    name: nodeIds.join(' then '),
    dag: {
      nodes: Object.fromEntries(
        nodeIds.map((id, index) => [id, { task: 'core/transform', inputs: { value: index + 1 } }]),
      ),
      edges: nodeIds.slice(1).map((id, index) => ({ from: nodeIds[index]!, to: id })),
    },
  });
  if (!checked.definition) throw new Error(`not a chain: ${JSON.stringify(checked.diagnostics)}`);
  return checked.definition;
}

/** A worker's report that `nodeId`'s first attempt succeeded, with its id as the result. */
export function stepSucceeded(runId: string, nodeId: string) {
  return envelope({
    id: uniqueName('report'),
    type: 'step.succeeded',
    runId,
    nodeId,
    attempt: 1,
    createdAt: Date.now(),
    payload: { workerId: 'w', startedAt: Date.now(), finishedAt: Date.now(), result: nodeId },
  });
}

/** A worker's claim of `nodeId`'s first attempt, as `holder`. */
export function stepClaimed(runId: string, nodeId: string, holder = 'w:1') {
  return envelope({
    id: uniqueName('claim'),
    type: 'step.claim',
    runId,
    nodeId,
    attempt: 1,
    createdAt: Date.now(),
    payload: { workerId: 'w', holder, startedAt: Date.now(), leaseMs: 20_000 },
  });
}
