import { Type, type Static } from '@sinclair/typebox';
import { Diagnostic } from './diagnostics';
import { NodeStatus, RunStatus, StepError } from './runs';
import { anyObject, closedObject, component, dictionaryOf, nullable, ref } from './schema-kit';
import { Slug, StepsDefinition, WorkflowDefinition } from './workflows';

// The seed API (`/api`): the shapes the seed documents gave, snake_case and unix seconds.

const unixSeconds = (description: string) =>
  Type.Integer({ minimum: 0, description: `${description} (unix seconds)` });

/** A part of the canonical definition schema, which core supplies under WorkflowDefinition. */
const definitionPart = <T>(property: string) =>
  Type.Unsafe<T>({ $ref: `#/components/schemas/WorkflowDefinition/properties/${property}` });

export const WorkflowApi = component(
  'WorkflowApi',
  closedObject(
    {
      id: Type.String({
        description: '`wf_…`: the same id `/v1` uses (`POST /v1/workflows/run {workflowId}`).',
      }),
      organization_id: Type.String({ description: "The app's id." }),
      name: Type.String(),
      description: nullable(Type.String()),
      slug: ref(Slug),
      version: Type.Integer({ minimum: 1, description: 'The latest version.' }),
      dag: definitionPart<{
        nodes: Record<string, unknown>;
        edges: { from: string; to: string }[];
      }>('dag'),
      input_parameters: nullable(definitionPart<Record<string, unknown>>('input_parameters')),
      created_at: unixSeconds('When the workflow was created'),
      updated_at: unixSeconds('When it last changed'),
    },
    { description: 'A workflow as the seed API shows it (snake_case, unix seconds).' },
  ),
);
export type WorkflowApi = Static<typeof WorkflowApi>;

export const SavedWorkflowApi = component(
  'SavedWorkflowApi',
  closedObject({
    workflow: ref(WorkflowApi),
    diagnostics: closedObject({
      type_issues: Type.Array(ref(Diagnostic)),
      warnings: Type.Array(ref(Diagnostic)),
    }),
  }),
);
export type SavedWorkflowApi = Static<typeof SavedWorkflowApi>;

/** `POST /api/workflows` and `PUT /api/workflows/{id}`. */
export const WorkflowApiRequest = component(
  'WorkflowApiRequest',
  Type.Union([ref(WorkflowDefinition), ref(StepsDefinition)], {
    description:
      'A workflow definition in the canonical (DAG) form, as the seed sends it, or in the steps form.',
  }),
);
export type WorkflowApiRequest = Static<typeof WorkflowApiRequest>;

/** `POST /api/workflows/{id}/execute`. */
export const ExecuteRequest = component(
  'ExecuteRequest',
  closedObject({
    input_params: Type.Optional(
      anyObject({ description: "The run input: checked against the workflow's input parameters." }),
    ),
  }),
);
export type ExecuteRequest = Static<typeof ExecuteRequest>;

export const ExecutionNodeApi = component(
  'ExecutionNodeApi',
  closedObject(
    {
      status: ref(NodeStatus),
      output: Type.Unknown({ description: 'What the step returned; `null` until it completed.' }),
      error: nullable(ref(StepError)),
      attempts: Type.Integer({ minimum: 0 }),
      started_at: nullable(unixSeconds('When its current attempt started')),
      finished_at: nullable(unixSeconds('When it ended')),
    },
    { description: 'One node of an execution.' },
  ),
);
export type ExecutionNodeApi = Static<typeof ExecutionNodeApi>;

export const ExecutionApi = component(
  'ExecutionApi',
  closedObject(
    {
      id: Type.String({ description: '`run_…`: the same id as `/v1` runs.' }),
      workflow_id: nullable(
        Type.String({ description: '`wf_…`; `null` for a built-in template or a plan.' }),
      ),
      organization_id: Type.String({ description: "The app's id." }),
      status: ref(RunStatus),
      input_params: anyObject(),
      outputs: nullable(
        anyObject({
          description: "Each node's result by node id once completed; `null` otherwise.",
        }),
      ),
      error: nullable(
        closedObject({
          code: Type.String(),
          message: Type.String(),
          node_id: Type.Optional(Type.String()),
        }),
      ),
      nodes: dictionaryOf(ref(ExecutionNodeApi)),
      created_at: unixSeconds('When it was created'),
      updated_at: unixSeconds('When it last changed'),
      started_at: nullable(unixSeconds('When its first step started')),
      finished_at: nullable(unixSeconds('When it ended')),
      status_url: Type.String({ format: 'uri', description: 'The `/v1` `statusUrl`.' }),
    },
    { description: 'A run as the seed API shows it (snake_case, unix seconds).' },
  ),
);
export type ExecutionApi = Static<typeof ExecutionApi>;

/** The components of this module, by their names in the OpenAPI document. */
export const SEED_API_COMPONENTS = {
  WorkflowApi,
  SavedWorkflowApi,
  WorkflowApiRequest,
  ExecuteRequest,
  ExecutionNodeApi,
  ExecutionApi,
};
