import { ADMIN_OPERATIONS } from './admin';
import { DATA_OPERATIONS } from './data';
import { KEY_OPERATIONS } from './keys';
import type { Operation } from './operation';
import { RUN_OPERATIONS } from './runs';
import { SEED_API_OPERATIONS } from './seed-api';
import { SERVICE_OPERATIONS } from './service';
import { TASK_TYPE_OPERATIONS } from './task-types';
import { WEBHOOK_OPERATIONS } from './webhooks';
import { WORKFLOW_OPERATIONS } from './workflows';

export { API_TAGS, type ApiTag, type GatewayFacts, type Operation } from './operation';

/** Every route of the API, in the order the document lists them. */
export const API_OPERATIONS: readonly Operation[] = [
  ...SERVICE_OPERATIONS,
  ...RUN_OPERATIONS,
  ...WORKFLOW_OPERATIONS,
  ...TASK_TYPE_OPERATIONS,
  ...DATA_OPERATIONS,
  ...KEY_OPERATIONS,
  ...WEBHOOK_OPERATIONS,
  ...SEED_API_OPERATIONS,
  ...ADMIN_OPERATIONS,
];
