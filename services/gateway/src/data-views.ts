import type * as Wire from '@weft/contract';
import type { DeliveryAttempt, StoredResult, WebhookDelivery, WebhookEndpoint } from '@weft/store';

const iso = (ms: number): string => new Date(ms).toISOString();

/** A webhook endpoint as the API shows it: ISO-8601 times, never its secrets. */
export function webhookEndpointView(endpoint: WebhookEndpoint): Wire.WebhookEndpoint {
  return { ...endpoint, createdAt: iso(endpoint.createdAt), updatedAt: iso(endpoint.updatedAt) };
}

function attemptView(attempt: DeliveryAttempt): Wire.DeliveryAttempt {
  return { ...attempt, at: iso(attempt.at) };
}

/** A delivery as the API shows it: its receiver, status and attempts, with ISO-8601 times. */
export function deliveryView(delivery: WebhookDelivery): Wire.WebhookDelivery {
  const { appId: _appId, nextAttemptAt, createdAt, updatedAt, attempts, ...rest } = delivery;
  return {
    ...rest,
    attempts: attempts.map(attemptView),
    ...(nextAttemptAt !== undefined ? { nextAttemptAt: iso(nextAttemptAt) } : {}),
    createdAt: iso(createdAt),
    updatedAt: iso(updatedAt),
  };
}

/** A stored result document, with an ISO-8601 time. */
export function storedResultView(result: StoredResult): Wire.StoredDocument {
  return { ...result, createdAt: iso(result.createdAt) };
}
