import type { Clock } from './clock';
import type { NodeDefinition, WorkflowDefinition } from './definition-types';

/** When an attempt of `node` starting now must have finished (epoch ms), or undefined without a step timeout. */
export function stepDeadline(clock: Clock, node: NodeDefinition): number | undefined {
  return node.timeout === undefined ? undefined : clock.now() + Math.round(node.timeout * 1000);
}

/** When a run started at `startedAtMs` times out (epoch ms), or undefined without a run timeout. */
export function runDeadline(
  startedAtMs: number,
  definition: WorkflowDefinition,
): number | undefined {
  return definition.timeout === undefined
    ? undefined
    : startedAtMs + Math.round(definition.timeout * 1000);
}
