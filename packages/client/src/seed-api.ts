import type { ExecutionAnswer, WorkflowApiAnswer, WorkflowApiList } from '@weft/contract';
import { signalOf, type CallOptions } from './call-options';
import { segment } from './path-segment';
import type { Transport } from './transport';
import type {
  ExecutionApi,
  ExecutionPageApi,
  PageParams,
  SavedWorkflowApi,
  WorkflowApi,
  WorkflowApiRequest,
} from './types';

/**
 * The seed API at `/api`: workflows by id and their executions, snake_case, times in unix
 * seconds. Ids are the ones /v1 uses (`wf_…`, `run_…`).
 */
export class SeedApi {
  constructor(private readonly transport: Transport) {}

  /** A new workflow from a definition (`{name, description?, dag, input_parameters?}` or steps form). */
  createWorkflow(definition: WorkflowApiRequest, options?: CallOptions): Promise<SavedWorkflowApi> {
    return this.transport.json<SavedWorkflowApi>({
      method: 'POST',
      path: '/api/workflows',
      body: definition,
      ...signalOf(options),
    });
  }

  /** The app's workflows. */
  async listWorkflows(options?: CallOptions): Promise<WorkflowApi[]> {
    const { workflows } = await this.transport.json<WorkflowApiList>({
      method: 'GET',
      path: '/api/workflows',
      ...signalOf(options),
    });
    return workflows;
  }

  /** One workflow, latest version. */
  async getWorkflow(id: string, options?: CallOptions): Promise<WorkflowApi> {
    const { workflow } = await this.transport.json<WorkflowApiAnswer>({
      method: 'GET',
      path: `/api/workflows/${segment(id)}`,
      ...signalOf(options),
    });
    return workflow;
  }

  /** Saves a new version of a workflow. Not retried on unclear failures: each save is a version. */
  updateWorkflow(
    id: string,
    definition: WorkflowApiRequest,
    options?: CallOptions,
  ): Promise<SavedWorkflowApi> {
    return this.transport.json<SavedWorkflowApi>({
      method: 'PUT',
      path: `/api/workflows/${segment(id)}`,
      body: definition,
      idempotent: false,
      ...signalOf(options),
    });
  }

  /** Deletes a workflow. */
  async deleteWorkflow(id: string, options?: CallOptions): Promise<void> {
    await this.transport.json<undefined>({
      method: 'DELETE',
      path: `/api/workflows/${segment(id)}`,
      ...signalOf(options),
    });
  }

  /** Starts an execution (a run) of the workflow's latest version. */
  async executeWorkflow(
    id: string,
    inputParams?: Record<string, unknown>,
    options?: CallOptions,
  ): Promise<ExecutionApi> {
    const { execution } = await this.transport.json<ExecutionAnswer>({
      method: 'POST',
      path: `/api/workflows/${segment(id)}/execute`,
      body: inputParams === undefined ? {} : { input_params: inputParams },
      ...signalOf(options),
    });
    return execution;
  }

  /** One execution. */
  async getExecution(id: string, options?: CallOptions): Promise<ExecutionApi> {
    const { execution } = await this.transport.json<ExecutionAnswer>({
      method: 'GET',
      path: `/api/workflow-executions/${segment(id)}`,
      ...signalOf(options),
    });
    return execution;
  }

  /** One page of a workflow's executions. */
  listExecutions(
    workflowId: string,
    params: PageParams = {},
    options?: CallOptions,
  ): Promise<ExecutionPageApi> {
    return this.transport.json<ExecutionPageApi>({
      method: 'GET',
      path: `/api/workflows/${segment(workflowId)}/executions`,
      query: { limit: params.limit, cursor: params.cursor },
      ...signalOf(options),
    });
  }

  /** Cancels an execution. */
  async cancelExecution(id: string, options?: CallOptions): Promise<ExecutionApi> {
    const { execution } = await this.transport.json<ExecutionAnswer>({
      method: 'POST',
      path: `/api/workflow-executions/${segment(id)}/cancel`,
      idempotent: true,
      ...signalOf(options),
    });
    return execution;
  }
}
