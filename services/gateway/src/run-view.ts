import type { NodeView, RunSummary, RunView } from '@weft/contract';
import { runOutputs, type NodeRecord } from '@weft/core';
import type { StoredRun } from '@weft/store';

export type { NodeView, RunView };
/** A run as listed. Absent times are `null`, so every field is always there. */
export type RunSummaryView = RunSummary;

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
