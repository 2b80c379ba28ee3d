import type { Diagnostics, WorkflowDefinition } from '@weft/core';
import type {
  SavedWorkflow as SavedWorkflowAnswer,
  WorkflowVersion as WorkflowVersionAnswer,
} from '@weft/client';

/** One version of a workflow, with its definition as core's type, for the editor. */
export type WorkflowVersion = Omit<WorkflowVersionAnswer, 'definition'> & {
  definition: WorkflowDefinition;
};

/** The answer to a save: the new version, and core's findings (as core's type) that did not block it. */
export type SavedWorkflow = Omit<SavedWorkflowAnswer, 'diagnostics'> & { diagnostics: Diagnostics };

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
