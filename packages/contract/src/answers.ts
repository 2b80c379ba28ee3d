import { Type, type Static } from '@sinclair/typebox';
import { ApiKey } from './keys';
import { closedObject, component, ref } from './schema-kit';
import { ExecutionApi, WorkflowApi } from './seed-api';
import { WebhookDelivery, WebhookEndpoint } from './webhooks';
import { WorkflowSummary, WorkflowVersion, WorkflowVersionSummary } from './workflows';

// The answers that wrap a shape (or a list of them) in a named property.

export const WorkflowList = component(
  'WorkflowList',
  closedObject({ workflows: Type.Array(ref(WorkflowSummary)) }),
);
export type WorkflowList = Static<typeof WorkflowList>;

export const WorkflowVersionAnswer = component(
  'WorkflowVersionAnswer',
  closedObject({ workflow: ref(WorkflowVersion) }),
);
export type WorkflowVersionAnswer = Static<typeof WorkflowVersionAnswer>;

export const WorkflowVersionList = component(
  'WorkflowVersionList',
  closedObject({
    versions: Type.Array(ref(WorkflowVersionSummary), { description: 'Oldest first.' }),
  }),
);
export type WorkflowVersionList = Static<typeof WorkflowVersionList>;

export const ApiKeyList = component('ApiKeyList', closedObject({ keys: Type.Array(ref(ApiKey)) }));
export type ApiKeyList = Static<typeof ApiKeyList>;

export const ApiKeyAnswer = component('ApiKeyAnswer', closedObject({ key: ref(ApiKey) }));
export type ApiKeyAnswer = Static<typeof ApiKeyAnswer>;

export const WebhookEndpointList = component(
  'WebhookEndpointList',
  closedObject({ webhooks: Type.Array(ref(WebhookEndpoint)) }),
);
export type WebhookEndpointList = Static<typeof WebhookEndpointList>;

export const WebhookEndpointAnswer = component(
  'WebhookEndpointAnswer',
  closedObject({ webhook: ref(WebhookEndpoint) }),
);
export type WebhookEndpointAnswer = Static<typeof WebhookEndpointAnswer>;

export const WebhookDeliveryAnswer = component(
  'WebhookDeliveryAnswer',
  closedObject({ delivery: ref(WebhookDelivery) }),
);
export type WebhookDeliveryAnswer = Static<typeof WebhookDeliveryAnswer>;

export const WorkflowApiList = component(
  'WorkflowApiList',
  closedObject({ workflows: Type.Array(ref(WorkflowApi)) }),
);
export type WorkflowApiList = Static<typeof WorkflowApiList>;

export const WorkflowApiAnswer = component(
  'WorkflowApiAnswer',
  closedObject({ workflow: ref(WorkflowApi) }),
);
export type WorkflowApiAnswer = Static<typeof WorkflowApiAnswer>;

export const ExecutionAnswer = component(
  'ExecutionAnswer',
  closedObject({ execution: ref(ExecutionApi) }),
);
export type ExecutionAnswer = Static<typeof ExecutionAnswer>;

export const ExecutionPageApi = component(
  'ExecutionPageApi',
  closedObject(
    {
      executions: Type.Array(ref(ExecutionApi)),
      next_cursor: Type.Optional(
        Type.String({ description: 'Pass as `cursor` for the next page; absent on the last.' }),
      ),
    },
    { description: 'A page of executions, newest first.' },
  ),
);
export type ExecutionPageApi = Static<typeof ExecutionPageApi>;

/** The components of this module, by their names in the OpenAPI document. */
export const ANSWER_COMPONENTS = {
  WorkflowList,
  WorkflowVersionAnswer,
  WorkflowVersionList,
  ApiKeyList,
  ApiKeyAnswer,
  WebhookEndpointList,
  WebhookEndpointAnswer,
  WebhookDeliveryAnswer,
  WorkflowApiList,
  WorkflowApiAnswer,
  ExecutionAnswer,
  ExecutionPageApi,
};
