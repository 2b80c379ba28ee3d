import { runOutputs } from '@weft/core';
import type { StoredRun } from '@weft/store';

/**
 * The body of a run event's webhook, in the Standard Webhooks shape `{type, timestamp, data}`:
 * the run's id, status, outputs or error, timing and statusUrl.
 */
export function runWebhookBody(event: string, run: StoredRun, publicUrl: string): string {
  const statusUrl = `${publicUrl}/v1/workflows/runs/${run.id}`;
  return JSON.stringify({
    type: event,
    timestamp: new Date(run.finishedAt ?? run.updatedAt).toISOString(),
    data: {
      runId: run.id,
      status: run.status,
      workflow: run.workflow,
      outputs: run.status === 'completed' ? runOutputs(run) : null,
      error: run.error ?? null,
      createdAt: run.createdAt,
      startedAt: run.startedAt ?? null,
      finishedAt: run.finishedAt ?? null,
      durationMs: run.finishedAt === undefined ? null : Math.max(0, run.finishedAt - run.createdAt),
      statusUrl,
    },
  });
}
