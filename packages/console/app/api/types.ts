import type { Diagnostics, WorkflowDefinition } from '@weft/core';
import type { WorkflowVersionSummary } from '@weft/client';

/** One version of a workflow, with its definition as core's type, for the editor. */
export interface WorkflowVersion extends WorkflowVersionSummary {
  definition: WorkflowDefinition;
}

/** The answer to a save: the new version, and core's findings that did not block it. */
export interface SavedWorkflow {
  workflow: WorkflowVersionSummary;
  diagnostics: Diagnostics;
}

// The API client's own types where the console reads the same answers: one description of what
// the gateway says. A version's definition is core's type above, for the editor.
export type {
  NodeView,
  RunPage,
  RunSummary,
  RunView,
  RunWorkflowRef,
  StartedRun,
  StepError as StepErrorView,
  Waiting,
  WorkflowSummary,
} from '@weft/client';
