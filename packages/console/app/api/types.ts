import type { Diagnostics, NodeStatus, RunStatus, WorkflowDefinition } from '@weft/core';

/** The API's error body: `{error: {code, message, details}}`. */
export interface ApiErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** A workflow as `GET /v1/workflows` lists it; built-in templates have `id: null`. */
export interface WorkflowSummary {
  id: string | null;
  slug: string;
  name: string;
  description: string | null;
  latestVersion: number;
  builtIn: boolean;
  createdAt: string | null;
  updatedAt: string | null;
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

/** Why a waiting node is not running yet. */
export interface Waiting {
  reason: string;
  message: string;
}

/** A step error as a run shows it. */
export interface StepErrorView {
  code: string;
  message: string;
  retryable?: boolean;
  details?: unknown;
}

/** One node of a run. Times are ISO-8601. */
export interface NodeView {
  status: NodeStatus;
  attempt: number;
  queuedAt?: string;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  result?: unknown;
  error?: StepErrorView;
  waiting?: Waiting;
}

/** What a run was started from. */
export interface RunWorkflowRef {
  id?: string;
  slug?: string;
  version?: number;
  ephemeral: boolean;
  name: string;
}

/** A run as listed. */
export interface RunSummary {
  runId: string;
  status: RunStatus;
  workflow: RunWorkflowRef;
  error: { code: string; message: string; nodeId?: string } | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  statusUrl: string;
}

/** A run with its input, nodes and outputs. */
export interface RunView extends RunSummary {
  input: Record<string, unknown>;
  nodes: Record<string, NodeView>;
  outputs: Record<string, unknown> | null;
}

/** A page of runs. */
export interface RunPage {
  runs: RunSummary[];
  nextCursor: string | null;
}

/** The answer to starting a run. */
export interface StartedRun {
  runId: string;
  status: RunStatus;
  statusUrl: string;
}
