import type {
  Diagnostics,
  SavedWorkflow as SavedWorkflowView,
  WorkflowSummary as WorkflowSummaryView,
  WorkflowVersion as WorkflowVersionView,
  WorkflowVersionSummary as WorkflowVersionSummaryView,
} from '@weft/contract';
import type { WorkflowSummary, WorkflowVersion, WorkflowVersionSummary } from '@weft/store';

function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

/** A workflow as `GET /v1/workflows` lists it; built-in templates have `id: null`. */
export function workflowSummaryView(workflow: WorkflowSummary): WorkflowSummaryView {
  return {
    id: workflow.id ?? null,
    slug: workflow.slug,
    name: workflow.name,
    description: workflow.description ?? null,
    latestVersion: workflow.latestVersion,
    builtIn: workflow.builtIn,
    createdAt: iso(workflow.createdAt),
    updatedAt: iso(workflow.updatedAt),
  };
}

/** A version as listed, without its definition. */
export function workflowVersionSummaryView(
  version: WorkflowVersionSummary,
): WorkflowVersionSummaryView {
  return {
    id: version.workflowId ?? null,
    slug: version.slug,
    version: version.version,
    name: version.name,
    description: version.description ?? null,
    builtIn: version.builtIn,
    createdAt: iso(version.createdAt),
  };
}

/** One version with its definition (canonical form). */
export function workflowVersionView(version: WorkflowVersion): WorkflowVersionView {
  // Spread: the API's definition is a plain JSON object, which core's interface is not typed as.
  return { ...workflowVersionSummaryView(version), definition: { ...version.definition } };
}

/** The answer to a save: the new version, and the findings that did not block it. */
export function savedWorkflowView(
  version: WorkflowVersion,
  diagnostics: Diagnostics,
): SavedWorkflowView {
  return { workflow: workflowVersionSummaryView(version), diagnostics };
}
