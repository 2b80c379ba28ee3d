import { WorkflowList, WorkflowVersionAnswer, WorkflowVersionList } from '../answers';
import { headerRef, json, jsonBody } from '../openapi/parts';
import { SavedWorkflow, SaveWorkflowRequest } from '../workflows';
import type { Operation } from './operation';

export const WORKFLOW_OPERATIONS: readonly Operation[] = [
  {
    method: 'post',
    path: '/v1/workflows',
    operationId: 'saveWorkflow',
    tags: ['Workflows'],
    summary: 'Save a new version of a workflow',
    description: 'Every save is a new immutable version of the slug.',
    access: 'key',
    requestBody: jsonBody(SaveWorkflowRequest),
    responses: {
      '201': json('The new version.', SavedWorkflow, { Location: headerRef('Location') }),
    },
    errors: ['invalid_definition'],
  },
  {
    method: 'get',
    path: '/v1/workflows',
    operationId: 'listWorkflows',
    tags: ['Workflows'],
    summary: "List the app's workflows and the built-in templates",
    description:
      "The app's workflows, then the built-in templates it has not replaced (`builtIn: true`, `id: null`).",
    access: 'key',
    responses: { '200': json('The workflows.', WorkflowList) },
  },
  {
    method: 'get',
    path: '/v1/workflows/{slug}',
    operationId: 'getWorkflow',
    tags: ['Workflows'],
    summary: 'Read the latest version of a workflow',
    access: 'key',
    responses: {
      '200': json('The latest version, with its definition.', WorkflowVersionAnswer),
    },
    errors: ['invalid_request', 'workflow_not_found'],
  },
  {
    method: 'get',
    path: '/v1/workflows/{slug}/versions',
    operationId: 'listWorkflowVersions',
    tags: ['Workflows'],
    summary: "List a workflow's versions",
    access: 'key',
    responses: { '200': json('Oldest first.', WorkflowVersionList) },
    errors: ['invalid_request', 'workflow_not_found'],
  },
  {
    method: 'get',
    path: '/v1/workflows/{slug}/versions/{version}',
    operationId: 'getWorkflowVersion',
    tags: ['Workflows'],
    summary: 'Read one version of a workflow',
    access: 'key',
    responses: { '200': json('The version, with its definition.', WorkflowVersionAnswer) },
    errors: ['invalid_request', 'workflow_not_found'],
  },
];
