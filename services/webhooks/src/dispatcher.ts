import { RUN_WEBHOOK_EVENTS } from '@weft/contract';
import { engineTopics, parseEnvelope, RUN_EVENTS_TOPIC, WEBHOOKS_GROUP } from '@weft/core';
import {
  ensureTopics,
  type ConsumedMessage,
  type KafkaClient,
  type KafkaConsumer,
} from '@weft/kafka';
import type { Logger, WeftMetrics } from '@weft/observability';
import {
  type AppStore,
  type DeliveryAttempt,
  type RunStore,
  type WebhookDelivery,
  type WebhookDeliveryStore,
  type WebhookEndpointStore,
} from '@weft/store';
import { postJson, signWebhook } from '@weft/webhooks';
import type { DispatcherConfig } from './config';
import { nextAttemptDelay } from './retry-schedule';
import { runWebhookBody } from './run-webhook-body';

/** What the dispatcher reads and writes. */
export interface DispatcherStores {
  runs: Pick<RunStore, 'getById'>;
  apps: Pick<AppStore, 'webhookSecret'>;
  endpoints: Pick<WebhookEndpointStore, 'forEvent' | 'signing' | 'disable'>;
  deliveries: Pick<WebhookDeliveryStore, 'enqueue' | 'claimDue' | 'recordAttempt' | 'abandon'>;
}

/** Refusals no retry can change: the address is not one we may reach. */
const PERMANENT_ERRORS = new Set(['address_not_allowed', 'url_not_allowed', 'invalid_url']);
const RUN_EVENTS: ReadonlySet<string> = new Set(RUN_WEBHOOK_EVENTS);

/** A URL without path or query, for logs: those may carry a receiver's token. */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid-url';
  }
}

/**
 * Turns run events into webhook deliveries and delivers them. Each event becomes one delivery per
 * receiver (the app's subscribed endpoints and the run's own `webhookUrl`), written to MongoDB
 * before the event's offset is committed, so a crash loses nothing. Deliveries are then claimed
 * with a lease, posted with Standard Webhooks signatures, and retried on the published schedule.
 */
export class WebhookDispatcher {
  private consumer: KafkaConsumer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private pumping = false;
  private stopped = false;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly stores: DispatcherStores,
    private readonly config: DispatcherConfig & {
      topicPartitions: { steps: number; results: number };
    },
    private readonly log: Logger,
    private readonly metrics?: WeftMetrics,
    private readonly random: () => number = Math.random,
  ) {}

  /** True from joining its consumer group until it starts stopping. */
  get ready(): boolean {
    return this.joined && !this.stopped;
  }

  private joined = false;

  async start(): Promise<void> {
    await ensureTopics(this.kafka, engineTopics(this.config.topicPartitions));
    this.consumer = await this.kafka.consumer({
      groupId: WEBHOOKS_GROUP,
      topics: [RUN_EVENTS_TOPIC],
      fromBeginning: true,
      // A replacement for a killed dispatcher waits this long for the dead member to expire.
      sessionTimeoutMs: 10_000,
    });
    await this.consumer.run((message) => this.onRunEvent(message));
    this.joined = true;
    this.timer = setInterval(() => this.pump(), this.config.pollIntervalMs);
    this.log.info('webhooks dispatcher started', {
      concurrency: this.config.concurrency,
      retryScheduleMs: this.config.retryScheduleMs,
      allowPrivate: this.config.allowPrivate,
    });
  }

  /** Stops taking events and deliveries; waits for attempts in flight to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.consumer?.disconnect();
    await Promise.allSettled([...this.inFlight]);
    this.log.info('webhooks dispatcher stopped');
  }

  private async onRunEvent(message: ConsumedMessage): Promise<void> {
    const parsed = parseEnvelope(message.value);
    if (!parsed.ok || !RUN_EVENTS.has(parsed.envelope.type)) return;
    const { envelope } = parsed;
    const run = await this.stores.runs.getById(envelope.runId);
    if (!run) {
      this.log.warn('run event for an unknown run', {
        runId: envelope.runId,
        event: envelope.type,
      });
      return;
    }
    const body = runWebhookBody(envelope.type, run, this.config.publicUrl);
    const endpoints = await this.stores.endpoints.forEvent(run.appId, envelope.type);
    const receivers = [
      ...endpoints.map((endpoint) => ({ endpointId: endpoint.id, url: endpoint.url })),
      ...(run.webhookUrl ? [{ url: run.webhookUrl }] : []),
    ];
    for (const receiver of receivers) {
      await this.stores.deliveries.enqueue({
        eventId: envelope.id,
        appId: run.appId,
        runId: run.id,
        event: envelope.type,
        url: receiver.url,
        body,
        ...('endpointId' in receiver ? { endpointId: receiver.endpointId } : {}),
      });
    }
    if (receivers.length > 0) this.pump();
  }

  /** Claims due deliveries until the concurrency is used or none is due. */
  private pump(): void {
    if (this.pumping || this.stopped) return;
    this.pumping = true;
    void (async () => {
      try {
        while (!this.stopped && this.inFlight.size < this.config.concurrency) {
          const delivery = await this.stores.deliveries.claimDue(this.config.leaseMs);
          if (!delivery) break;
          const attempt = this.deliver(delivery).catch((error: unknown) => {
            // The lease runs out and the delivery is claimed again: nothing is lost.
            this.log.error('delivery attempt failed to record', {
              deliveryId: delivery.id,
              error: error instanceof Error ? error.message : String(error),
            });
          });
          this.inFlight.add(attempt);
          void attempt.finally(() => {
            this.inFlight.delete(attempt);
            this.pump();
          });
        }
      } catch (error) {
        this.log.error('claiming deliveries failed', {
          error: error instanceof Error ? error.message : String(error),
        });
      } finally {
        this.pumping = false;
      }
    })();
  }

  private async secretsFor(
    delivery: WebhookDelivery,
  ): Promise<{ secrets: string[] } | { abandon: string }> {
    if (delivery.endpointId === undefined) {
      const secret = await this.stores.apps.webhookSecret(delivery.appId);
      return secret ? { secrets: [secret] } : { abandon: 'app_deleted' };
    }
    const endpoint = await this.stores.endpoints.signing(delivery.appId, delivery.endpointId);
    if (!endpoint) return { abandon: 'endpoint_deleted' };
    if (!endpoint.enabled) return { abandon: 'endpoint_disabled' };
    return { secrets: endpoint.secrets };
  }

  private async deliver(delivery: WebhookDelivery & { body: string }): Promise<void> {
    const signing = await this.secretsFor(delivery);
    if ('abandon' in signing) {
      await this.stores.deliveries.abandon(delivery.id, signing.abandon);
      this.metrics?.webhookDeliveries.inc({ outcome: 'abandoned' });
      return;
    }
    const started = Date.now();
    const headers = signWebhook({
      secrets: signing.secrets,
      id: delivery.messageId,
      timestamp: Math.floor(started / 1000),
      body: delivery.body,
    });
    const result = await postJson({
      url: delivery.url,
      body: delivery.body,
      headers: { ...headers },
      timeoutMs: this.config.timeoutMs,
      allowPrivate: this.config.allowPrivate,
    });
    this.metrics?.webhookDelivery.observe(result.durationMs / 1000);
    const attempt: DeliveryAttempt = {
      at: started,
      durationMs: result.durationMs,
      ...(result.status !== undefined ? { status: result.status } : {}),
      ...(result.error ? { error: result.error } : {}),
      ...(result.responseSnippet ? { response: result.responseSnippet.slice(0, 512) } : {}),
    };
    const attempts = delivery.attempts.length + 1;
    const logged = {
      deliveryId: delivery.id,
      runId: delivery.runId,
      event: delivery.event,
      receiver: originOf(delivery.url),
      attempt: attempts,
      status: result.status,
      error: result.error?.code,
    };

    if (result.ok) {
      await this.stores.deliveries.recordAttempt(delivery.id, attempt, { status: 'delivered' });
      this.metrics?.webhookDeliveries.inc({ outcome: 'delivered' });
      this.log.info('webhook delivered', logged);
      return;
    }
    if (result.status === 410 && delivery.endpointId !== undefined) {
      // 410 Gone: the receiver says it will never want these again.
      await this.stores.endpoints.disable(delivery.appId, delivery.endpointId, 'gone');
      await this.stores.deliveries.recordAttempt(delivery.id, attempt, {
        status: 'failed',
        failure: 'endpoint_gone',
      });
      this.metrics?.webhookDeliveries.inc({ outcome: 'failed' });
      this.log.warn('webhook endpoint gone; disabled', logged);
      return;
    }
    if (result.error && PERMANENT_ERRORS.has(result.error.code)) {
      await this.stores.deliveries.recordAttempt(delivery.id, attempt, {
        status: 'failed',
        failure: result.error.code,
      });
      this.metrics?.webhookDeliveries.inc({ outcome: 'failed' });
      this.log.warn('webhook receiver refused', logged);
      return;
    }
    const delay = nextAttemptDelay(
      this.config.retryScheduleMs,
      attempts,
      this.random,
      result.retryAfterMs,
    );
    if (delay === undefined) {
      await this.stores.deliveries.recordAttempt(delivery.id, attempt, {
        status: 'failed',
        failure: 'attempts_exhausted',
      });
      this.metrics?.webhookDeliveries.inc({ outcome: 'failed' });
      this.log.warn('webhook delivery gave up', logged);
      return;
    }
    await this.stores.deliveries.recordAttempt(delivery.id, attempt, {
      status: 'pending',
      nextAttemptAt: Date.now() + delay,
    });
    this.metrics?.webhookDeliveries.inc({ outcome: 'retrying' });
    this.log.info('webhook delivery will be retried', { ...logged, retryInMs: delay });
  }
}
