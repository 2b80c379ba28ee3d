import type {
  ExecutionApi as ExecutionApiView,
  WorkflowApi as WorkflowApiView,
} from '@weft/contract';
import { runOutputs } from '@weft/core';
import type { StoredRun, WorkflowVersion } from '@weft/store';

/** Unix seconds, as the seed API writes times. */
function seconds(ms: number): number;
function seconds(ms: number | undefined): number | null;
function seconds(ms: number | undefined): number | null {
  return ms === undefined ? null : Math.floor(ms / 1000);
}

export type { ExecutionApiView, WorkflowApiView };

export function workflowApiView(
  appId: string,
  workflow: WorkflowVersion & { workflowCreatedAt: number },
): WorkflowApiView {
  return {
    id: workflow.workflowId ?? '',
    organization_id: appId,
    name: workflow.name,
    description: workflow.description ?? null,
    slug: workflow.slug,
    version: workflow.version,
    dag: workflow.definition.dag,
    input_parameters: workflow.definition.input_parameters ?? null,
    created_at: seconds(workflow.workflowCreatedAt),
    updated_at: seconds(workflow.createdAt ?? workflow.workflowCreatedAt),
  };
}

export function executionApiView(run: StoredRun, statusUrl: string): ExecutionApiView {
  const nodes: ExecutionApiView['nodes'] = {};
  for (const [id, node] of Object.entries(run.nodes)) {
    nodes[id] = {
      status: node.status,
      output: node.status === 'completed' ? (node.result ?? null) : null,
      error: node.error ?? null,
      attempts: node.attempt,
      started_at: seconds(node.startedAt),
      finished_at: seconds(node.finishedAt),
    };
  }
  return {
    id: run.id,
    workflow_id: run.workflow.id ?? null,
    organization_id: run.appId,
    status: run.status,
    input_params: run.input,
    outputs: run.status === 'completed' ? runOutputs(run) : null,
    error: run.error
      ? {
          code: run.error.code,
          message: run.error.message,
          ...(run.error.nodeId !== undefined ? { node_id: run.error.nodeId } : {}),
        }
      : null,
    nodes,
    created_at: seconds(run.createdAt),
    updated_at: seconds(run.updatedAt),
    started_at: seconds(run.startedAt),
    finished_at: seconds(run.finishedAt),
    status_url: statusUrl,
  };
}
