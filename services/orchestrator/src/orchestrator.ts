import { setTimeout as sleep } from 'node:timers/promises';
import {
  engineConsumerGroups,
  engineTopics,
  isStepResult,
  ORCHESTRATOR_GROUP,
  parseEnvelope,
  STEP_RESULTS_TOPIC,
  transientRetryDelayMs,
} from '@weft/core';
import {
  ensureTopics,
  sendToDeadLetters,
  type ConsumedMessage,
  type HandledLater,
  type KafkaClient,
  type KafkaConsumer,
  type KafkaProducer,
} from '@weft/kafka';
import { inSpan, PeriodicTasks, type Logger, type WeftMetrics } from '@weft/observability';

import type { RunEngine, RunStore } from '@weft/store';
import type { OrchestratorOptions } from './config';
import { LeaseAnswers } from './lease-answers';

/**
 * Consumes step results and applies each to its run exactly once in effect (the run engine's
 * compare-and-set, keyed by run, node and attempt), which enqueues dependents and ends runs. It
 * owns time: retry backoffs, step deadlines and run timeouts are durable timers on the run
 * documents, found by a polling loop, so they survive restarts. Several can run at once.
 */
export class Orchestrator {
  private consumer?: KafkaConsumer;
  private producer?: KafkaProducer;
  private readonly periodic: PeriodicTasks;
  private readonly leases: LeaseAnswers;
  private stopping = false;
  /** Set while this orchestrator holds a start of the engine, which may have other starters. */
  private engineStarted = false;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly runs: RunStore,
    private readonly engine: RunEngine,
    private readonly options: OrchestratorOptions,
    private readonly log: Logger,
    private readonly metrics?: WeftMetrics,
  ) {
    this.periodic = new PeriodicTasks(log);
    this.leases = new LeaseAnswers(() => this.producer, log);
  }

  /** True from joining its consumer group until it starts stopping. */
  get ready(): boolean {
    return this.joined && !this.stopping;
  }

  private joined = false;

  async start(): Promise<void> {
    await ensureTopics(this.kafka, engineTopics(this.options.topicPartitions));
    this.producer = await this.kafka.producer();
    this.consumer = await this.kafka.consumer({
      groupId: ORCHESTRATOR_GROUP,
      topics: [STEP_RESULTS_TOPIC],
      fromBeginning: true,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
      // A result applied twice is a no-op (the attempt has moved on), so commits can be sparse.
      autoCommitIntervalMs: 250,
      sessionTimeoutMs: this.options.sessionTimeoutMs,
      // Runs learnt from a partition held before may have moved on under another orchestrator.
      onGroupJoin: () => this.engine.forgetLearnt(),
    });
    await this.consumer.run(async (message) => this.onStepResult(message));
    this.joined = true;
    this.periodic.every(this.options.timerIntervalMs, () => this.fireTimers());
    this.periodic.every(this.options.sweepIntervalMs, () => this.sweepOutboxes());
    // One write per step: the engine leaves what it published for the run's next change to
    // remove, and removes the rest itself well before this sweeper would take it for orphaned.
    this.engine.start({ sweepAfterMs: this.options.sweepAfterMs });
    this.engineStarted = true;
    if (this.metrics) {
      this.periodic.every(this.options.metricsIntervalMs, () => this.sampleBacklogs());
    }
    this.log.info('orchestrator started');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.periodic.stop();
    if (this.engineStarted) {
      this.engineStarted = false;
      await this.engine.stop();
    }
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
    this.log.info('orchestrator stopped');
  }

  private async onStepResult(message: ConsumedMessage): Promise<void | HandledLater> {
    const parsed = parseEnvelope(message.value);
    if (!parsed.ok) return this.deadLetter(message, parsed.problem.code, parsed.problem.message);
    if (!isStepResult(parsed.envelope)) {
      return this.deadLetter(
        message,
        'unexpected_type',
        `${parsed.envelope.type} on ${message.topic}`,
      );
    }
    const result = parsed.envelope;
    return inSpan(
      `weft.${result.type}`,
      {
        traceparent: result.traceparent ?? message.headers.traceparent,
        attributes: {
          'weft.run_id': result.runId,
          'weft.node_id': result.nodeId ?? '',
          'weft.attempt': result.attempt ?? 0,
        },
      },
      () => this.applyResult(message, result),
    );
  }

  /**
   * Applies a result, answers it if it is a lease report, and says when it is durable: a change
   * that implies no message (a claim granted, a heartbeat) is answered before it is written, and
   * written with the run's next change; its offset is committed only once it is written. Where
   * the consumer cannot commit later, every change is written before the next message.
   */
  private async applyResult(
    message: ConsumedMessage,
    result: Parameters<RunEngine['applyStepResult']>[0],
  ): Promise<void | HandledLater> {
    // A database outage must not skip a result: retry until it applies or we stop.
    for (let attempt = 0; !this.stopping; attempt++) {
      try {
        const later = this.consumer?.commitsWhenDurable === true && !this.stopping;
        const { applied, durable } = later
          ? await this.engine.applyStepResultSoon(result)
          : { applied: await this.engine.applyStepResult(result), durable: undefined };
        this.leases.answer(result, applied?.run);
        if (!applied) return this.deadLetter(message, 'unknown_run', `no run ${result.runId}`);
        if (applied.changed) {
          this.log.debug('step result applied', {
            runId: result.runId,
            nodeId: result.nodeId,
            attempt: result.attempt,
            type: result.type,
            runStatus: applied.run.status,
          });
        }
        return durable && { durable };
      } catch (error) {
        this.log.warn('could not apply a step result; retrying', { runId: result.runId, error });
        await sleep(transientRetryDelayMs(attempt));
      }
    }
    throw new Error('orchestrator stopping: step result left uncommitted for redelivery');
  }

  private async fireTimers(): Promise<void> {
    const due = await this.runs.dueTimers(Date.now(), 200);
    await Promise.all(
      due.map(async (runId) => {
        const applied = await this.engine.applyTimers(runId);
        if (applied?.changed)
          this.log.debug('timers applied', { runId, runStatus: applied.run.status });
      }),
    );
  }

  private async sweepOutboxes(): Promise<void> {
    const stale = await this.runs.staleOutboxes(Date.now() - this.options.sweepAfterMs, 200);
    for (const run of stale) {
      if (this.stopping) return;
      const messages = Object.keys(run.outbox ?? {}).length;
      this.log.info('re-publishing an orphaned outbox', { runId: run.id, messages });
      try {
        await this.engine.publishOutbox(run);
      } catch (error) {
        // One outbox the broker refuses must not keep the others from being recovered.
        this.log.warn('could not re-publish an outbox', { runId: run.id, messages, error });
      }
    }
  }

  /**
   * The gauges no single message moves: runs waiting on their outbox, and each consumer group's
   * lag (workers per step topic, the orchestrator's, the webhook dispatcher's). A step topic's
   * lag growing while its group has no members is a pool nobody runs.
   */
  private async sampleBacklogs(): Promise<void> {
    const metrics = this.metrics;
    if (!metrics) return;
    metrics.outboxBacklog.set(await this.runs.outboxBacklog());
    const groups = engineConsumerGroups();
    const admin = await this.kafka.admin();
    try {
      for (const { group, topic } of groups) {
        for (const { lag } of await admin.consumerLag(group, [topic])) {
          metrics.consumerLag.set({ topic, group }, lag);
        }
      }
    } finally {
      await admin.disconnect();
    }
  }

  private deadLetter(message: ConsumedMessage, code: string, reason: string): Promise<void> {
    return sendToDeadLetters(
      this.producer,
      message,
      { code, reason, by: 'orchestrator' },
      this.log,
    );
  }
}
