import { AppList, CreateAppRequest, CreatedApp } from '../admin';
import { ApiKeyAnswer, ApiKeyList } from '../answers';
import { CreatedApiKey } from '../keys';
import { EMPTY_OBJECT, json, jsonBody } from '../openapi/parts';
import { RegisteredTaskTypeAnswer, RegisteredTaskTypeList } from '../task-types';
import { artifactUpload } from './artifact-upload';
import type { Operation } from './operation';

/**
 * Apps, keys and artifact uploads across every app, and the task types registered at run time,
 * for operators and for workers that serve many apps: the CLI's `apps`, `keys --app` and
 * `task-types remove` use these.
 */
export const ADMIN_OPERATIONS: readonly Operation[] = [
  {
    method: 'post',
    path: '/v1/admin/apps',
    operationId: 'adminCreateApp',
    tags: ['Admin'],
    summary: 'Create an app, with its first API key',
    access: 'admin',
    requestBody: jsonBody(CreateAppRequest),
    responses: { '201': json('The app; its key is shown this once.', CreatedApp) },
  },
  {
    method: 'get',
    path: '/v1/admin/apps',
    operationId: 'adminListApps',
    tags: ['Admin'],
    summary: 'List every app',
    access: 'admin',
    responses: { '200': json('The apps, oldest first.', AppList) },
  },
  {
    method: 'get',
    path: '/v1/admin/apps/{appId}/keys',
    operationId: 'adminListKeys',
    tags: ['Admin'],
    summary: "List an app's API keys",
    access: 'admin',
    responses: { '200': json('Oldest first, revoked ones included; never a key.', ApiKeyList) },
    errors: ['invalid_request', 'app_not_found'],
  },
  {
    method: 'post',
    path: '/v1/admin/apps/{appId}/keys',
    operationId: 'adminCreateKey',
    tags: ['Admin'],
    summary: 'Create an API key of an app',
    description: 'Takes no body (or an empty object). The key is shown this once.',
    access: 'admin',
    requestBody: jsonBody(EMPTY_OBJECT, false),
    responses: { '201': json('The new key.', CreatedApiKey) },
    errors: ['app_not_found', 'key_limit_reached'],
  },
  {
    method: 'delete',
    path: '/v1/admin/apps/{appId}/keys/{keyId}',
    operationId: 'adminRevokeKey',
    tags: ['Admin'],
    summary: "Revoke an app's API key",
    access: 'admin',
    responses: { '200': json('The revoked key.', ApiKeyAnswer) },
    errors: ['invalid_request', 'app_not_found', 'key_not_found'],
  },
  {
    method: 'post',
    path: '/v1/admin/apps/{appId}/artifacts',
    operationId: 'adminUploadArtifact',
    tags: ['Admin'],
    summary: 'Store bytes as an artifact of an app',
    access: 'admin',
    ...artifactUpload('the app', ['app_not_found']),
  },
  {
    method: 'get',
    path: '/v1/admin/task-types',
    operationId: 'adminListTaskTypes',
    tags: ['Admin'],
    summary: 'List the task types registered at run time',
    description:
      'As the registry on Kafka (`weft.task-types`) holds them, by name; `GET /v1/task-types` lists them after the built-in ones.',
    access: 'admin',
    responses: { '200': json('The registered task types.', RegisteredTaskTypeList) },
  },
  {
    method: 'delete',
    path: '/v1/admin/task-types/{taskType}',
    operationId: 'adminRemoveTaskType',
    tags: ['Admin'],
    summary: 'Remove a registered task type',
    description:
      'Writes its removal to the registry: workflows naming it are refused from then on (422 `unknown_task`). Steps already queued stay on its topics. A worker registering it again brings it back.',
    access: 'admin',
    responses: { '200': json('The task type removed.', RegisteredTaskTypeAnswer) },
    errors: ['task_type_not_found'],
  },
];
