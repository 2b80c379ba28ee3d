import { createHash } from 'node:crypto';
import { StepFailure } from '@weft/core';
import { isLastingRefusal, postJson, signWebhook, type OutboundResult } from '@weft/webhooks';
import { checkHeaders } from './header-check';
import type { StepHandler } from '@weft/worker';
import type { StepServices, WebhookEndpointTarget } from './step-services';

interface Delivery {
  url: string;
  status: number;
  webhook_id: string | null;
}

/** Statuses a retry will not change: the receiver refused the message itself. */
function isPermanent(result: OutboundResult): boolean {
  if (result.error) {
    const code = result.error.code;
    return code === 'address_not_allowed' || code === 'url_not_allowed' || code === 'invalid_url';
  }
  return isLastingRefusal(result.status ?? 0);
}

/**
 * emit_webhook: posts a Standard Webhooks message (`{type, timestamp, data}`) to `url`, signed with
 * the app's signing secret, or to each of the app's endpoints (if any) with theirs. The message id derives
 * from the run and node, so every attempt of this step sends the same `webhook-id` and receivers
 * can drop repeats. Any failed delivery fails the attempt; the engine's retry policy takes over.
 */
export function webhookStepHandlers(services: StepServices): Record<string, StepHandler> {
  return {
    emit_webhook: async (inputs, context) => {
      const extraHeaders = checkHeaders(inputs.headers as Record<string, string> | undefined);
      const event = (inputs.event as string | undefined) ?? 'workflow.emit';
      let targets: WebhookEndpointTarget[];
      if (typeof inputs.url === 'string') {
        targets = [
          { id: '', url: inputs.url, secrets: await services.webhookSecrets(context.appId) },
        ];
      } else {
        // Like an event with no subscribers: an app without endpoints receives nothing, and the
        // workflow goes on. Endpoints added later receive the next runs' messages.
        targets = await services.webhookEndpoints(context.appId, event);
      }
      const webhookId = `msg_${createHash('sha256')
        .update(`${context.runId}:${context.nodeId}`)
        .digest('base64url')
        .slice(0, 27)}`;
      const timestamp = Math.floor(Date.now() / 1000);
      const body = JSON.stringify({
        type: event,
        timestamp: new Date(timestamp * 1000).toISOString(),
        data: inputs.body ?? null,
      });

      const deliveries: Delivery[] = [];
      const failures: { url: string; result: OutboundResult }[] = [];
      for (const target of targets) {
        const result = await postJson({
          url: target.url,
          body,
          headers: {
            ...extraHeaders,
            ...signWebhook({ secrets: target.secrets, id: webhookId, timestamp, body }),
          },
          allowPrivate: services.allowPrivateNetworks,
          signal: context.signal,
        });
        if (result.ok) {
          deliveries.push({
            url: target.url,
            status: result.status!,
            webhook_id: target.id === '' ? null : target.id,
          });
        } else {
          failures.push({ url: target.url, result });
        }
      }
      if (failures.length > 0) {
        const summary = failures
          .map(({ url, result }) => `${url}: ${result.error?.message ?? `HTTP ${result.status}`}`)
          .join('; ');
        const retryAfterMs = Math.max(0, ...failures.map(({ result }) => result.retryAfterMs ?? 0));
        throw new StepFailure(
          'webhook_failed',
          `emit_webhook could not deliver to ${failures.length} of ${targets.length}: ${summary}`,
          {
            retryable: !failures.some(({ result }) => isPermanent(result)),
            details: {
              deliveries,
              failed: failures.map(({ url, result }) => ({ url, status: result.status })),
            },
            ...(retryAfterMs > 0 ? { retryAfterMs } : {}),
          },
        );
      }
      return { delivered: deliveries.length, deliveries };
    },
  };
}
