import { Type, type Static } from '@sinclair/typebox';
import {
  DISPLAY_TEXT_PATTERN,
  DISPLAY_TEXT_RULE,
  MAX_WEBHOOK_URL_LENGTH,
  RUN_WEBHOOK_EVENTS,
  WEBHOOK_EVENT_PATTERN,
} from './names';
import { closedObject, component, dateTime, ref, stringEnum } from './schema-kit';

/** Where a delivery stands; `delivered` and `failed` are final. */
export const DELIVERY_STATUSES = ['pending', 'delivering', 'delivered', 'failed'] as const;

const eventName = Type.String({
  pattern: WEBHOOK_EVENT_PATTERN.source,
  minLength: 1,
  maxLength: 100,
  // Read after "must be" in a 400's issue, and as the documentation of the form.
  description: `an event name: a run event (${RUN_WEBHOOK_EVENTS.map((event) => `\`${event}\``).join(', ')}) or one an \`emit_webhook\` step sends, e.g. \`image.generated\``,
});

export const WebhookEndpoint = component(
  'WebhookEndpoint',
  closedObject(
    {
      id: Type.String({ description: '`wh_…`.' }),
      url: Type.String(),
      events: Type.Array(eventName, { description: 'Events it receives; empty: every event.' }),
      description: Type.Optional(Type.String()),
      enabled: Type.Boolean(),
      disabledReason: Type.Optional(
        Type.String({ description: 'Why it was switched off, e.g. `gone` after a 410.' }),
      ),
      createdAt: dateTime('When it was created'),
      updatedAt: dateTime('When it last changed'),
    },
    { description: 'A webhook endpoint: never its secrets.' },
  ),
);
export type WebhookEndpoint = Static<typeof WebhookEndpoint>;

export const WebhookEndpointWithSecret = component(
  'WebhookEndpointWithSecret',
  closedObject({
    webhook: ref(WebhookEndpoint),
    secret: Type.String({
      pattern: '^whsec_',
      description: 'The `whsec_` signing secret: shown this once, in this answer.',
    }),
  }),
);
export type WebhookEndpointWithSecret = Static<typeof WebhookEndpointWithSecret>;

/**
 * What `POST /v1/webhooks` and `PATCH /v1/webhooks/{id}` take. The URL's address is checked after
 * the request (422 `invalid_webhook_url`), not here.
 */
const endpointProperties = {
  url: Type.String({
    minLength: 1,
    maxLength: MAX_WEBHOOK_URL_LENGTH,
    description: 'Where deliveries are POSTed: http(s), no credentials, a public address.',
  }),
  events: Type.Array(eventName, {
    maxItems: 50,
    description: 'Events the endpoint receives; absent or empty: every event.',
  }),
  description: Type.String({
    maxLength: 500,
    pattern: DISPLAY_TEXT_PATTERN,
    description: DISPLAY_TEXT_RULE,
  }),
};

export const CreateWebhookRequest = component(
  'CreateWebhookRequest',
  closedObject({
    url: endpointProperties.url,
    events: Type.Optional(endpointProperties.events),
    description: Type.Optional(endpointProperties.description),
  }),
);
export type CreateWebhookRequest = Static<typeof CreateWebhookRequest>;

export const UpdateWebhookRequest = component(
  'UpdateWebhookRequest',
  closedObject(
    {
      url: Type.Optional(endpointProperties.url),
      events: Type.Optional(endpointProperties.events),
      description: Type.Optional(endpointProperties.description),
      enabled: Type.Optional(
        Type.Boolean({
          description: '`true` switches on an endpoint that was switched off (e.g. after a 410).',
        }),
      ),
    },
    { minProperties: 1 },
  ),
);
export type UpdateWebhookRequest = Static<typeof UpdateWebhookRequest>;

export const DeliveryAttempt = component(
  'DeliveryAttempt',
  closedObject({
    at: dateTime('When the attempt started'),
    durationMs: Type.Integer({ minimum: 0 }),
    status: Type.Optional(
      Type.Integer({ description: "The receiver's HTTP status, when it answered." }),
    ),
    error: Type.Optional(
      closedObject(
        { code: Type.String(), message: Type.String() },
        { description: 'Why there was no answer (timeout, refused address…).' },
      ),
    ),
    response: Type.Optional(Type.String({ description: "The start of the receiver's answer." })),
  }),
);
export type DeliveryAttempt = Static<typeof DeliveryAttempt>;

export const WebhookDelivery = component(
  'WebhookDelivery',
  closedObject(
    {
      id: Type.String({ description: '`whd_…`.' }),
      runId: Type.String(),
      event: Type.String({ description: 'e.g. `run.completed`.' }),
      messageId: Type.String({
        description: 'The `webhook-id` header: the same on every attempt.',
      }),
      endpointId: Type.Optional(
        Type.String({ description: "The endpoint; absent for the run's own `webhookUrl`." }),
      ),
      url: Type.String(),
      status: stringEnum(DELIVERY_STATUSES, { description: '`delivered` and `failed` are final.' }),
      attempts: Type.Array(ref(DeliveryAttempt)),
      nextAttemptAt: Type.Optional(dateTime('When a pending delivery is next tried')),
      failure: Type.Optional(
        Type.String({
          description: 'Why a failed delivery stopped, e.g. `attempts_exhausted`, `endpoint_gone`.',
        }),
      ),
      createdAt: dateTime('When it was made'),
      updatedAt: dateTime('When it last changed'),
    },
    { description: 'A message for one receiver, with every attempt to deliver it.' },
  ),
);
export type WebhookDelivery = Static<typeof WebhookDelivery>;

export const WebhookDeliveries = component(
  'WebhookDeliveries',
  closedObject({ deliveries: Type.Array(ref(WebhookDelivery)) }),
);
export type WebhookDeliveries = Static<typeof WebhookDeliveries>;

/** The components of this module, by their names in the OpenAPI document. */
export const WEBHOOK_COMPONENTS = {
  WebhookEndpoint,
  WebhookEndpointWithSecret,
  CreateWebhookRequest,
  UpdateWebhookRequest,
  DeliveryAttempt,
  WebhookDelivery,
  WebhookDeliveries,
};
