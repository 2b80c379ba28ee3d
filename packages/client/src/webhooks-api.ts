import type {
  WebhookDeliveries,
  WebhookDeliveryAnswer,
  WebhookEndpointAnswer,
  WebhookEndpointList,
} from '@weft/contract';
import { signalOf, type CallOptions } from './call-options';
import { segment } from './path-segment';
import type { Transport } from './transport';
import type {
  CreateWebhookRequest,
  UpdateWebhookRequest,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookWithSecret,
} from './types';

/** The app's webhook endpoints and their delivery log: `/v1/webhooks`. */
export class WebhooksApi {
  constructor(private readonly transport: Transport) {}

  /** A new endpoint; its `whsec_` secret is in this answer only. */
  create(request: CreateWebhookRequest, options?: CallOptions): Promise<WebhookWithSecret> {
    return this.transport.json<WebhookWithSecret>({
      method: 'POST',
      path: '/v1/webhooks',
      body: request,
      ...signalOf(options),
    });
  }

  /** The app's endpoints (never their secrets). */
  async list(options?: CallOptions): Promise<WebhookEndpoint[]> {
    const { webhooks } = await this.transport.json<WebhookEndpointList>({
      method: 'GET',
      path: '/v1/webhooks',
      ...signalOf(options),
    });
    return webhooks;
  }

  /** One endpoint. */
  async get(id: string, options?: CallOptions): Promise<WebhookEndpoint> {
    const { webhook } = await this.transport.json<WebhookEndpointAnswer>({
      method: 'GET',
      path: `/v1/webhooks/${segment(id)}`,
      ...signalOf(options),
    });
    return webhook;
  }

  /** Changes an endpoint; `enabled: true` switches on one a 410 disabled. */
  async update(
    id: string,
    changes: UpdateWebhookRequest,
    options?: CallOptions,
  ): Promise<WebhookEndpoint> {
    const { webhook } = await this.transport.json<WebhookEndpointAnswer>({
      method: 'PATCH',
      path: `/v1/webhooks/${segment(id)}`,
      body: changes,
      // Setting the same fields again leaves the same endpoint.
      idempotent: true,
      ...signalOf(options),
    });
    return webhook;
  }

  /** Deletes an endpoint. */
  async delete(id: string, options?: CallOptions): Promise<void> {
    await this.transport.json<undefined>({
      method: 'DELETE',
      path: `/v1/webhooks/${segment(id)}`,
      ...signalOf(options),
    });
  }

  /** A new secret; the old one still signs (a second signature) for 24 h. */
  rotateSecret(id: string, options?: CallOptions): Promise<WebhookWithSecret> {
    return this.transport.json<WebhookWithSecret>({
      method: 'POST',
      path: `/v1/webhooks/${segment(id)}/rotate-secret`,
      ...signalOf(options),
    });
  }

  /** The endpoint's newest 100 deliveries, each with every attempt. */
  async deliveries(id: string, options?: CallOptions): Promise<WebhookDelivery[]> {
    const { deliveries } = await this.transport.json<WebhookDeliveries>({
      method: 'GET',
      path: `/v1/webhooks/${segment(id)}/deliveries`,
      ...signalOf(options),
    });
    return deliveries;
  }

  /** One delivery. */
  async delivery(deliveryId: string, options?: CallOptions): Promise<WebhookDelivery> {
    const { delivery } = await this.transport.json<WebhookDeliveryAnswer>({
      method: 'GET',
      path: `/v1/webhooks/deliveries/${segment(deliveryId)}`,
      ...signalOf(options),
    });
    return delivery;
  }

  /** Sends a delivery again now, under the same `webhook-id`. */
  async resend(deliveryId: string, options?: CallOptions): Promise<WebhookDelivery> {
    const { delivery } = await this.transport.json<WebhookDeliveryAnswer>({
      method: 'POST',
      path: `/v1/webhooks/deliveries/${segment(deliveryId)}/resend`,
      ...signalOf(options),
    });
    return delivery;
  }
}
