import { ApiKeyAnswer, ApiKeyList } from '../answers';
import { CreatedApiKey } from '../keys';
import { EMPTY_OBJECT, json, jsonBody } from '../openapi/parts';
import type { Operation } from './operation';

export const KEY_OPERATIONS: readonly Operation[] = [
  {
    method: 'get',
    path: '/v1/keys',
    operationId: 'listKeys',
    tags: ['Keys'],
    summary: "List the app's API keys",
    description: 'Oldest first, revoked ones included; never a key.',
    access: 'key',
    responses: { '200': json('The keys.', ApiKeyList) },
  },
  {
    method: 'post',
    path: '/v1/keys',
    operationId: 'createKey',
    tags: ['Keys'],
    summary: 'Create an API key of the app',
    description: 'Takes no body (or an empty object). The key is shown this once.',
    access: 'key',
    requestBody: jsonBody(EMPTY_OBJECT, false),
    responses: { '201': json('The new key.', CreatedApiKey) },
    errors: ['key_limit_reached'],
  },
  {
    method: 'delete',
    path: '/v1/keys/{keyId}',
    operationId: 'revokeKey',
    tags: ['Keys'],
    summary: 'Revoke an API key',
    description:
      'Requests with it fail from now on; revoking a revoked key changes nothing. A key may revoke itself.',
    access: 'key',
    responses: { '200': json('The revoked key.', ApiKeyAnswer) },
    errors: ['invalid_request', 'key_not_found'],
  },
];
