import type { Diagnostics, WorkflowDefinition } from '@weft/core';

/** The API's error body: `{error: {code, message, details}}`. */
export interface ApiErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** One version of a workflow, with its definition. */
export interface WorkflowVersion {
  id: string | null;
  slug: string;
  version: number;
  name: string;
  description: string | null;
  builtIn: boolean;
  createdAt: string | null;
  definition: WorkflowDefinition;
}

/** The answer to a save. */
export interface SavedWorkflow {
  workflow: Omit<WorkflowVersion, 'definition'>;
  diagnostics: Diagnostics;
}

// The API client's own types where the console reads the same answers: one description of what
// the gateway says. A version's definition is core's type here, for the editor.
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
