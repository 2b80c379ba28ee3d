import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds buckets for step work: from tens of milliseconds to the minutes video takes. */
const STEP_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
/** Seconds buckets for HTTP handling and webhook deliveries. */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15];

/**
 * Every metric Weft exports, on one registry per process (labelled with the service). Each service
 * updates the ones that concern it; the names are the contract of the dashboards in `deploy/`.
 */
export class WeftMetrics {
  readonly registry = new Registry();

  readonly runsStarted = new Counter({
    name: 'weft_runs_started_total',
    help: 'Runs accepted, by workflow (slug, or the name of an inline plan)',
    labelNames: ['workflow'],
    registers: [this.registry],
  });
  readonly runsFinished = new Counter({
    name: 'weft_runs_finished_total',
    help: 'Runs that reached a terminal state, by workflow and status',
    labelNames: ['workflow', 'status'],
    registers: [this.registry],
  });
  readonly stepAttempts = new Counter({
    name: 'weft_step_attempts_total',
    help: 'Step attempts a worker finished, by task type and outcome (succeeded or failed)',
    labelNames: ['task', 'outcome'],
    registers: [this.registry],
  });
  readonly stepFailures = new Counter({
    name: 'weft_step_failures_total',
    help: 'Failed step attempts by task type and error code',
    labelNames: ['task', 'code'],
    registers: [this.registry],
  });
  readonly stepDuration = new Histogram({
    name: 'weft_step_duration_seconds',
    help: 'How long a step attempt ran in a worker, by task type',
    labelNames: ['task'],
    buckets: STEP_BUCKETS,
    registers: [this.registry],
  });
  readonly stepQueue = new Histogram({
    name: 'weft_step_queue_seconds',
    help: 'From a step being enqueued to a worker starting it, by task type',
    labelNames: ['task'],
    buckets: STEP_BUCKETS,
    registers: [this.registry],
  });
  readonly consumerLag = new Gauge({
    name: 'weft_consumer_lag',
    help: 'Messages not yet consumed, by topic and consumer group',
    labelNames: ['topic', 'group'],
    registers: [this.registry],
  });
  readonly outboxBacklog = new Gauge({
    name: 'weft_outbox_backlog',
    help: 'Runs holding outbox messages not yet confirmed published',
    registers: [this.registry],
  });
  readonly workerInFlight = new Gauge({
    name: 'weft_worker_in_flight',
    help: 'Steps a worker is running right now',
    labelNames: ['worker'],
    registers: [this.registry],
  });
  readonly databaseCommands = new Counter({
    name: 'weft_database_commands_total',
    help: 'Commands this process sent to the database, by command (find, update, insert…)',
    labelNames: ['command'],
    registers: [this.registry],
  });
  readonly kafkaRequests = new Counter({
    name: 'weft_kafka_requests_total',
    help: 'Requests this process sent to Kafka brokers, by API (Produce, Fetch, OffsetCommit…)',
    labelNames: ['api'],
    registers: [this.registry],
  });
  readonly webhookDeliveries = new Counter({
    name: 'weft_webhook_deliveries_total',
    help: 'Webhook delivery attempts by outcome (delivered, retrying, failed, abandoned)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly webhookDelivery = new Histogram({
    name: 'weft_webhook_delivery_seconds',
    help: 'How long one webhook delivery attempt took',
    buckets: REQUEST_BUCKETS,
    registers: [this.registry],
  });
  readonly httpRequests = new Counter({
    name: 'weft_http_requests_total',
    help: 'HTTP requests by route, method and status',
    labelNames: ['route', 'method', 'status'],
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'weft_http_request_duration_seconds',
    help: 'HTTP request handling time by route and method',
    labelNames: ['route', 'method'],
    buckets: REQUEST_BUCKETS,
    registers: [this.registry],
  });

  constructor(service: string, options: { processMetrics?: boolean } = {}) {
    this.registry.setDefaultLabels({ service });
    // Process metrics (CPU, memory, event loop) are per process: off for in-process test engines.
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** The Prometheus text exposition of every metric. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
