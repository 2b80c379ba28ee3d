import { Router, type Request } from 'express';
import { MAX_DELIVERIES_LISTED } from '@weft/contract';
import { WebhookEndpointLimitError } from '@weft/store';
import { ApiError } from '../api-error';
import { principalOf } from '../principal';
import type { GatewayDeps } from '../deps';
import {
  parseBody,
  validateCreateWebhookRequest,
  validateUpdateWebhookRequest,
} from '../request-schemas';
import { deliveryView, webhookEndpointView } from '../data-views';
import { checkWebhookUrl } from '../webhook-url';

const ENDPOINT_ID = /^wh_[0-9a-z]{22}$/;
const DELIVERY_ID = /^whd_[0-9a-f]{24}$/;

function endpointId(request: Request): string {
  const id = String(request.params.id);
  if (!ENDPOINT_ID.test(id)) throw notFound(id);
  return id;
}

function notFound(id: string): ApiError {
  return new ApiError('webhook_not_found', `No webhook endpoint "${id}" in this app`, { id });
}

/**
 * The app's webhook endpoints at `/v1/webhooks`: create (the answer holds the `whsec_` secret,
 * shown that once), list, read, change, delete, rotate the secret, read the delivery log and
 * re-send a delivery. Mounted behind requireApiKey.
 */
export function webhookRoutes(deps: GatewayDeps): Router {
  const router = Router();
  const allowPrivate = deps.allowPrivateWebhooks ?? false;

  router.post('/', async (request, response) => {
    const { appId } = principalOf(response);
    const body = parseBody(validateCreateWebhookRequest, request.body);
    const url = checkWebhookUrl(body.url, 'url', allowPrivate);
    try {
      const { endpoint, secret } = await deps.webhookEndpoints.create(appId, {
        url,
        events: body.events ?? [],
        ...(body.description !== undefined ? { description: body.description } : {}),
      });
      response.status(201).json({ webhook: webhookEndpointView(endpoint), secret });
    } catch (error) {
      if (error instanceof WebhookEndpointLimitError) {
        throw new ApiError('webhook_limit_reached', error.message, {});
      }
      throw error;
    }
  });

  router.get('/', async (_request, response) => {
    const { appId } = principalOf(response);
    response.json({ webhooks: (await deps.webhookEndpoints.list(appId)).map(webhookEndpointView) });
  });

  router.get('/deliveries/:deliveryId', async (request, response) => {
    const { appId } = principalOf(response);
    const id = String(request.params.deliveryId);
    const delivery = DELIVERY_ID.test(id) ? await deps.webhookDeliveries.get(appId, id) : undefined;
    if (!delivery) {
      throw new ApiError('delivery_not_found', `No delivery "${id}" in this app`, { id });
    }
    response.json({ delivery: deliveryView(delivery) });
  });

  router.post('/deliveries/:deliveryId/resend', async (request, response) => {
    const { appId } = principalOf(response);
    const id = String(request.params.deliveryId);
    const delivery = DELIVERY_ID.test(id)
      ? await deps.webhookDeliveries.resend(appId, id)
      : undefined;
    if (!delivery) {
      throw new ApiError('delivery_not_found', `No delivery "${id}" in this app`, { id });
    }
    response.status(202).json({ delivery: deliveryView(delivery) });
  });

  router.get('/:id', async (request, response) => {
    const { appId } = principalOf(response);
    const id = endpointId(request);
    const endpoint = await deps.webhookEndpoints.get(appId, id);
    if (!endpoint) throw notFound(id);
    response.json({ webhook: webhookEndpointView(endpoint) });
  });

  router.patch('/:id', async (request, response) => {
    const { appId } = principalOf(response);
    const id = endpointId(request);
    const body = parseBody(validateUpdateWebhookRequest, request.body);
    if (body.url !== undefined) checkWebhookUrl(body.url, 'url', allowPrivate);
    const endpoint = await deps.webhookEndpoints.update(appId, id, body);
    if (!endpoint) throw notFound(id);
    response.json({ webhook: webhookEndpointView(endpoint) });
  });

  router.delete('/:id', async (request, response) => {
    const { appId } = principalOf(response);
    const id = endpointId(request);
    if (!(await deps.webhookEndpoints.delete(appId, id))) throw notFound(id);
    response.status(204).end();
  });

  router.post('/:id/rotate-secret', async (request, response) => {
    const { appId } = principalOf(response);
    const id = endpointId(request);
    const rotated = await deps.webhookEndpoints.rotateSecret(appId, id);
    if (!rotated) throw notFound(id);
    response.json({ webhook: webhookEndpointView(rotated.endpoint), secret: rotated.secret });
  });

  router.get('/:id/deliveries', async (request, response) => {
    const { appId } = principalOf(response);
    const id = endpointId(request);
    if (!(await deps.webhookEndpoints.get(appId, id))) throw notFound(id);
    response.json({
      deliveries: (await deps.webhookDeliveries.forEndpoint(appId, id, MAX_DELIVERIES_LISTED)).map(
        deliveryView,
      ),
    });
  });

  return router;
}
