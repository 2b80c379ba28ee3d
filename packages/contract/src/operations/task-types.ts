import { json } from '../openapi/parts';
import { TaskTypeList } from '../task-types';
import type { Operation } from './operation';

export const TASK_TYPE_OPERATIONS: readonly Operation[] = [
  {
    method: 'get',
    path: '/v1/task-types',
    operationId: 'listTaskTypes',
    tags: ['Task types'],
    summary: 'List the task types a node may name',
    description:
      'Each with the JSON Schemas of its input and result, which validation, the editor and references use.',
    access: 'key',
    responses: { '200': json('The task types.', TaskTypeList) },
  },
];
