import type { WorkflowList, WorkflowVersionAnswer, WorkflowVersionList } from '@weft/contract';
import { signalOf, type CallOptions } from './call-options';
import { segment } from './path-segment';
import type { Transport } from './transport';
import type {
  SavedWorkflow,
  SaveWorkflowRequest,
  WorkflowSummary,
  WorkflowVersion,
  WorkflowVersionSummary,
} from './types';

/** Saved workflows and their versions: `/v1/workflows`. */
export class WorkflowsApi {
  constructor(private readonly transport: Transport) {}

  /**
   * Saves a new immutable version under `slug`. A definition with errors is refused with 422
   * `invalid_definition` (`details.diagnostics`); the answer lists the findings that did not block.
   */
  save(request: SaveWorkflowRequest, options?: CallOptions): Promise<SavedWorkflow> {
    return this.transport.json<SavedWorkflow>({
      method: 'POST',
      path: '/v1/workflows',
      body: request,
      ...signalOf(options),
    });
  }

  /** The app's workflows, then the built-in templates it has not replaced. */
  async list(options?: CallOptions): Promise<WorkflowSummary[]> {
    const { workflows } = await this.transport.json<WorkflowList>({
      method: 'GET',
      path: '/v1/workflows',
      ...signalOf(options),
    });
    return workflows;
  }

  /** The latest version of a workflow, with its definition. */
  async get(slug: string, options?: CallOptions): Promise<WorkflowVersion> {
    const { workflow } = await this.transport.json<WorkflowVersionAnswer>({
      method: 'GET',
      path: `/v1/workflows/${segment(slug)}`,
      ...signalOf(options),
    });
    return workflow;
  }

  /** Every version of a workflow, oldest first. */
  async versions(slug: string, options?: CallOptions): Promise<WorkflowVersionSummary[]> {
    const { versions } = await this.transport.json<WorkflowVersionList>({
      method: 'GET',
      path: `/v1/workflows/${segment(slug)}/versions`,
      ...signalOf(options),
    });
    return versions;
  }

  /** One version of a workflow, with its definition. */
  async version(slug: string, version: number, options?: CallOptions): Promise<WorkflowVersion> {
    const { workflow } = await this.transport.json<WorkflowVersionAnswer>({
      method: 'GET',
      path: `/v1/workflows/${segment(slug)}/versions/${segment(version)}`,
      ...signalOf(options),
    });
    return workflow;
  }
}
