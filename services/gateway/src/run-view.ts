import { runOutputs, type NodeRecord, type RunError, type StepError } from '@weft/core';
import type { RunWorkflowRef, StoredRun } from '@weft/store';
import type { Waiting } from './waiting';

/** One node of a run as the API shows it; times are ISO-8601. */
export interface NodeView {
  status: NodeRecord['status'];
  attempt: number;
  queuedAt?: string;
  startedAt?: string;
  finishedAt?: string;
  /** From the current attempt's start to its end. */
  durationMs?: number;
  result?: unknown;
  error?: StepError;
  /** Why a queued or retrying node is not running (run view only, while the run goes on). */
  waiting?: Waiting;
}

/** A run as listed. Absent times are `null`, so every field is always there. */
export interface RunSummaryView {
  runId: string;
  status: StoredRun['status'];
  workflow: RunWorkflowRef;
  error: RunError | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** From creation to the end: what the caller waited. `null` until the run ends. */
  durationMs: number | null;
  statusUrl: string;
}

/** A run as `GET /v1/workflows/runs/:runId` shows it. */
export interface RunView extends RunSummaryView {
  input: Record<string, unknown>;
  nodes: Record<string, NodeView>;
  /**
   * Each node's result by node id once the run has completed; `null` before, and for runs that
   * ended otherwise (the results of the nodes that did complete are in `nodes`).
   */
  outputs: Record<string, unknown> | null;
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

/** One node as the API shows it. */
export function nodeView(node: NodeRecord): NodeView {
  const view: NodeView = { status: node.status, attempt: node.attempt };
  if (node.queuedAt !== undefined) view.queuedAt = iso(node.queuedAt);
  if (node.startedAt !== undefined) view.startedAt = iso(node.startedAt);
  if (node.finishedAt !== undefined) view.finishedAt = iso(node.finishedAt);
  if (node.startedAt !== undefined && node.finishedAt !== undefined) {
    view.durationMs = Math.max(0, node.finishedAt - node.startedAt);
  }
  if (node.result !== undefined) view.result = node.result;
  if (node.error !== undefined) view.error = node.error;
  return view;
}

/** The run as listed by `GET /v1/workflows/runs`. */
export function runSummaryView(run: StoredRun, statusUrl: string): RunSummaryView {
  return {
    runId: run.id,
    status: run.status,
    workflow: run.workflow,
    error: run.error ?? null,
    createdAt: new Date(run.createdAt).toISOString(),
    startedAt: iso(run.startedAt) ?? null,
    finishedAt: iso(run.finishedAt) ?? null,
    durationMs: run.finishedAt === undefined ? null : Math.max(0, run.finishedAt - run.createdAt),
    statusUrl,
  };
}

/** The run with its input, nodes and outputs. */
export function runView(run: StoredRun, statusUrl: string): RunView {
  const nodes: Record<string, NodeView> = {};
  for (const [id, node] of Object.entries(run.nodes)) nodes[id] = nodeView(node);
  const summary = runSummaryView(run, statusUrl);
  return {
    runId: summary.runId,
    status: summary.status,
    workflow: summary.workflow,
    input: run.input,
    nodes,
    outputs: run.status === 'completed' ? runOutputs(run) : null,
    error: summary.error,
    createdAt: summary.createdAt,
    startedAt: summary.startedAt,
    finishedAt: summary.finishedAt,
    durationMs: summary.durationMs,
    statusUrl,
  };
}
