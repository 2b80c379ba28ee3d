import {
  BUILT_IN_TASKS,
  validateDefinition,
  withTaskDefaults,
  type TaskCatalogue,
  type WorkflowDefinition,
} from '@weft/core';
import { ApiError } from './api-error';
import type { GatewayDeps } from './deps';

/** The task types a workflow may name here: the built-in ones, and those registered if followed. */
export function taskCatalogueOf(deps: Pick<GatewayDeps, 'taskTypes'>): TaskCatalogue {
  return deps.taskTypes?.catalogue() ?? BUILT_IN_TASKS;
}

/**
 * The definition a run starts with: its nodes given their task types' retry policy and timeout
 * where they set none (core's `withTaskDefaults`), so the run stores them and every orchestrator
 * applies them, whatever is registered later. A saved workflow that names registered types is
 * validated again first, as what it names may have been removed, or changed by a new version,
 * since it was saved: 422 `invalid_definition` then. One of built-in types only was checked when
 * saved, against types that cannot change under it.
 */
export function definitionToRun(
  definition: WorkflowDefinition,
  catalogue: TaskCatalogue,
  saved: { name: string } | undefined,
): WorkflowDefinition {
  if (saved !== undefined) {
    const namesRegistered = Object.values(definition.dag.nodes).some(
      (node) => BUILT_IN_TASKS.get(node.task) === undefined,
    );
    const diagnostics = namesRegistered ? validateDefinition(definition, catalogue) : undefined;
    if (diagnostics !== undefined && diagnostics.errors.length > 0) {
      throw new ApiError(
        'invalid_definition',
        `${saved.name} names task types that are not registered as it needs them now: ${diagnostics.errors[0]?.message ?? ''}; see details.diagnostics`,
        { diagnostics },
      );
    }
  }
  return withTaskDefaults(definition, catalogue);
}
