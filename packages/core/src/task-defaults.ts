import type { NodeDefinition, WorkflowDefinition } from './definition-types';
import type { TaskCatalogue } from './task-catalogue';

/**
 * The definition with its task types' defaults applied: a node that sets no `retry` (or no
 * `timeout`) gets its type's, when the type has one (registered types may). The gateway applies
 * this to the definition a run is started with, so the run keeps the defaults of the moment it
 * started, whatever is registered later and whichever orchestrator applies its results. Returns
 * `definition` itself when no node changes.
 */
export function withTaskDefaults(
  definition: WorkflowDefinition,
  catalogue: TaskCatalogue,
): WorkflowDefinition {
  let nodes: Record<string, NodeDefinition> | undefined;
  for (const [id, node] of Object.entries(definition.dag.nodes)) {
    const type = catalogue.get(node.task);
    const retry = node.retry === undefined ? type?.retry : undefined;
    const timeout = node.timeout === undefined ? type?.timeout : undefined;
    if (retry === undefined && timeout === undefined) continue;
    nodes ??= { ...definition.dag.nodes };
    nodes[id] = {
      ...node,
      ...(retry === undefined ? {} : { retry }),
      ...(timeout === undefined ? {} : { timeout }),
    };
  }
  return nodes === undefined ? definition : { ...definition, dag: { ...definition.dag, nodes } };
}
