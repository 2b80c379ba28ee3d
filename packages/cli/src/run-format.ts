import type { NodeView, RunSummary, RunView } from '@weft/client';

/** A duration as people read it: `850ms`, `3.2s`, `4m05s`, `2h03m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  }
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

/** How a run names its workflow: `slug v2`, or the plan's name for an inline plan. */
export function workflowLabel(run: RunSummary): string {
  const { slug, version, name } = run.workflow;
  if (slug === undefined) return `(plan) ${name}`;
  return version === undefined ? slug : `${slug} v${version}`;
}

/** One node's row: id, status, attempt, duration, error. */
export function nodeRow(id: string, node: NodeView): string[] {
  return [
    id,
    node.status,
    node.attempt === 0 ? '' : String(node.attempt),
    node.durationMs === undefined ? '' : formatDuration(node.durationMs),
    node.error === undefined ? '' : `${node.error.code}: ${node.error.message}`,
  ];
}

/** The node that failed the run: the one its error names, else the first failed node. */
export function failedNodeOf(run: RunView): { id: string; node: NodeView } | undefined {
  const named = run.error?.nodeId;
  if (named !== undefined) {
    const node = run.nodes[named];
    if (node !== undefined) return { id: named, node };
  }
  for (const [id, node] of Object.entries(run.nodes)) {
    if (node.status === 'failed') return { id, node };
  }
  return undefined;
}

/**
 * Why a run did not complete, in lines for stderr: the run's error, then the failing node's id,
 * attempt and error (code and message).
 */
export function failureReport(run: RunView): string {
  const lines = [`weft: run ${run.runId} ${run.status.replace('_', ' ')}`];
  if (run.error !== null) lines.push(`  run error: ${run.error.code}: ${run.error.message}`);
  const failed = failedNodeOf(run);
  if (failed !== undefined) {
    lines.push(`  node:      ${failed.id} (attempt ${failed.node.attempt})`);
    if (failed.node.error !== undefined) {
      lines.push(`  error:     ${failed.node.error.code}: ${failed.node.error.message}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
