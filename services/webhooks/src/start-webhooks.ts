import { composeService, type Running, type ServiceDeps } from '@weft/service';
import {
  AppStore,
  DefinitionStore,
  OutboxPublisher,
  RunStore,
  WebhookDeliveryStore,
  WebhookEndpointStore,
} from '@weft/store';
import type { WebhooksServiceConfig } from './config';
import { WebhookDispatcher, type DispatcherStores } from './dispatcher';

/** What startWebhooks may be handed instead of making it. */
export interface WebhooksDeps extends ServiceDeps {
  /** Default: a run store on the service's database, publishing through a producer of its own. */
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
    let runs = deps.runs;
    if (!runs) {
      const producer = await io.kafka.producer();
      io.parts.add('producer', () => producer.disconnect());
      runs = new RunStore(
        io.connection,
        new DefinitionStore(io.connection),
        new OutboxPublisher(io.connection, producer),
      );
    }
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
    await io.serveHealth({
      ...io.readiness,
      consumer: async () => {
        if (!dispatcher.ready) throw new Error('not consuming run events');
      },
    });
    io.parts.add('dispatcher', () => dispatcher.stop());
    await dispatcher.start();
    return { dispatcher };
  });
}
