import { composeService, startConsuming, type Running, type ServiceDeps } from '@weft/service';
import { AppStore, RunStore, WebhookDeliveryStore, WebhookEndpointStore } from '@weft/store';
import type { WebhooksServiceConfig } from './config';
import { WebhookDispatcher, type DispatcherStores } from './dispatcher';

/** What startWebhooks may be handed instead of making it. */
export interface WebhooksDeps extends ServiceDeps {
  /** Default: the run store on the service's database (it only reads runs). */
  runs?: DispatcherStores['runs'];
}

/**
 * Starts the webhook dispatcher: its database and Kafka client (unless `deps` has them), its
 * stores, the health endpoints, then the consumer of run events. Stops in the reverse order.
 */
export function startWebhooks(
  config: WebhooksServiceConfig,
  deps: WebhooksDeps = {},
): Promise<Running<{ dispatcher: WebhookDispatcher }>> {
  const service = { name: 'webhooks', kafkaClientId: 'weft-webhooks' };
  return composeService(service, config, deps, async (io) => {
    const runs = deps.runs ?? new RunStore(io.connection);
    const endpoints = new WebhookEndpointStore(io.connection);
    const deliveries = new WebhookDeliveryStore(io.connection);
    await io.ensureIndexes(endpoints, deliveries);
    const dispatcher = new WebhookDispatcher(
      io.kafka,
      { runs, apps: new AppStore(io.connection), endpoints, deliveries },
      config,
      io.log,
      io.metrics,
    );
    await startConsuming(io, 'dispatcher', dispatcher, {
      name: 'consumer',
      unready: 'not consuming run events',
    });
    return { dispatcher };
  });
}
