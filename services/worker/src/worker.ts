import {
  deadLetter,
  DEAD_LETTERS_TOPIC,
  engineTopics,
  envelope as makeEnvelope,
  parseEnvelope,
  RUN_EVENTS_TOPIC,
  STEP_RESULTS_TOPIC,
  workerTopics,
  type Envelope,
  type Region,
} from '@weft/core';
import {
  ensureTopics,
  type ConsumedMessage,
  type KafkaClient,
  type KafkaConsumer,
  type KafkaProducer,
} from '@weft/kafka';
import { inSpan, type Logger, type WeftMetrics } from '@weft/observability';
import { executeStep, StepFailure, type StepHandler } from '@weft/steps';
import { randomUUID } from 'node:crypto';
import { OffsetTracker } from './offset-tracker';

export interface WorkerOptions {
  /** Partitions of the topics created at start (see BaseConfig.topicPartitions). */
  topicPartitions: { steps: number; results: number };
  /** Task types served; each has a handler in `handlers`. */
  stepTypes: readonly string[];
  /** `global` serves global workflows only; a region serves its own and global ones. */
  region: Region;
  /** Steps run at once, across all partitions. Default: 32. */
  concurrency: number;
  workerId: string;
  /** How soon the broker gives a silent worker's partitions to others. Default: 15000 ms. */
  sessionTimeoutMs: number;
  /** How long SIGTERM waits for steps in flight before handing them back. Default: 25000 ms. */
  shutdownGraceMs: number;
  /** How often finished positions are committed. Default: 500 ms. */
  commitIntervalMs: number;
}

interface Pool {
  consumer: KafkaConsumer;
  topic: string;
  tracker: OffsetTracker;
}

interface Running {
  runId: string;
  controller: AbortController;
}

/** Attempt keys remembered to skip redelivered attempts. */
const RECENT_ATTEMPTS = 50_000;

/** Raised as an abort reason when the worker stops: the step is handed back, not failed. */
const HANDED_BACK = new StepFailure('worker_stopping', 'the worker is stopping', true);

/**
 * The worker runtime: consumes `weft.steps.<type>` topics, keeps up to `concurrency` steps in
 * flight beyond its partition count, and reports each attempt's start and outcome on
 * `weft.step-results`. It pauses its consumers at capacity instead of blocking them, so a step
 * that takes minutes never stops heartbeats nor causes a rebalance; it commits offsets only below
 * its oldest unfinished message, so a crash re-delivers exactly what was unfinished.
 */
export class Worker {
  private producer?: KafkaProducer;
  private control?: KafkaConsumer;
  private readonly pools: Pool[] = [];
  private readonly running = new Set<Running>();
  private paused = false;
  private stopping = false;
  private commitTimer?: NodeJS.Timeout;
  private idle?: () => void;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly handlers: Readonly<Record<string, StepHandler>>,
    private readonly options: WorkerOptions,
    private readonly log: Logger,
    private readonly metrics?: WeftMetrics,
  ) {}

  /** Steps running now. */
  get inFlight(): number {
    return this.running.size;
  }

  /** True from joining its consumer groups until it starts stopping. */
  get ready(): boolean {
    return this.started && !this.stopping;
  }

  private started = false;

  private countInFlight(): void {
    this.metrics?.workerInFlight.set({ worker: this.options.workerId }, this.running.size);
  }

  async start(): Promise<void> {
    await ensureTopics(this.kafka, engineTopics(this.options.topicPartitions));
    this.producer = await this.kafka.producer();

    // Every worker hears every run event, to abort the steps of runs that were cancelled or ended.
    this.control = await this.kafka.consumer({
      groupId: `weft.worker-control.${this.options.workerId}.${randomUUID()}`,
      topics: [RUN_EVENTS_TOPIC],
    });
    await this.control.run(async (message) => this.onRunEvent(message));

    // One consumer group per topic: a pool serving other types never takes these partitions.
    for (const topic of workerTopics(this.options.stepTypes, this.options.region)) {
      const consumer = await this.kafka.consumer({
        groupId: `weft.worker.${topic}`,
        topics: [topic],
        fromBeginning: true,
        autoCommit: false,
        sessionTimeoutMs: this.options.sessionTimeoutMs,
      });
      const pool: Pool = { consumer, topic, tracker: new OffsetTracker() };
      this.pools.push(pool);
      await consumer.run(async (message) => this.accept(pool, message));
    }
    this.commitTimer = setInterval(() => void this.commit(), this.options.commitIntervalMs);
    this.started = true;
    this.countInFlight();
    this.log.info('worker started', {
      workerId: this.options.workerId,
      region: this.options.region,
      topics: this.pools.map((pool) => pool.topic),
      concurrency: this.options.concurrency,
    });
  }

  /**
   * Stops taking work, waits up to the grace period for steps in flight, hands back the rest
   * (their offsets stay uncommitted, so another worker takes them), commits and disconnects.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.pauseAll();
    if (this.running.size > 0) {
      this.log.info('waiting for steps in flight', { inFlight: this.running.size });
      await Promise.race([
        new Promise<void>((resolve) => (this.idle = resolve)),
        new Promise((resolve) => setTimeout(resolve, this.options.shutdownGraceMs)),
      ]);
      for (const step of this.running) step.controller.abort(HANDED_BACK);
    }
    clearInterval(this.commitTimer);
    await this.commit();
    await Promise.allSettled([
      ...this.pools.map((pool) => pool.consumer.disconnect()),
      this.control?.disconnect(),
    ]);
    await this.producer?.disconnect();
    this.log.info('worker stopped', { workerId: this.options.workerId });
  }

  /** Takes one message: starts its step and returns at once, so the partition keeps flowing. */
  private async accept(pool: Pool, message: ConsumedMessage): Promise<void> {
    if (this.stopping) return;
    const parsed = parseEnvelope(message.value);
    if (!parsed.ok || parsed.envelope.type !== 'step.execute') {
      const reason = parsed.ok
        ? `unexpected ${parsed.envelope.type} on a step topic`
        : parsed.problem.message;
      await this.sendToDeadLetters(
        message,
        parsed.ok ? 'unexpected_type' : parsed.problem.code,
        reason,
      );
      pool.tracker.begin(message.topic, message.partition, message.offset);
      pool.tracker.end(message.topic, message.partition, message.offset);
      return;
    }
    pool.tracker.begin(message.topic, message.partition, message.offset);
    const key = (parsed.envelope as Envelope<'step.execute'>).payload.idempotencyKey;
    if (this.attempts.has(key)) {
      // The same attempt again: a re-published outbox message, or a redelivery after a
      // rebalance. Running it twice would repeat its side effect; its result is (or will be)
      // reported by the run already made.
      this.log.info('duplicate step attempt skipped', {
        runId: parsed.envelope.runId,
        nodeId: parsed.envelope.nodeId,
        attempt: parsed.envelope.attempt,
      });
      pool.tracker.end(message.topic, message.partition, message.offset);
      return;
    }
    this.rememberAttempt(key);
    const step: Running = { runId: parsed.envelope.runId, controller: new AbortController() };
    this.running.add(step);
    this.countInFlight();
    if (this.running.size >= this.options.concurrency) this.pauseAll();
    void this.execute(parsed.envelope as Envelope<'step.execute'>, step).then((handedBack) => {
      this.running.delete(step);
      this.countInFlight();
      // A handed-back attempt must run again, wherever its message goes next.
      if (handedBack) this.attempts.delete(key);
      else pool.tracker.end(message.topic, message.partition, message.offset);
      if (this.running.size === 0) this.idle?.();
      if (this.paused && !this.stopping && this.running.size < this.options.concurrency)
        this.resumeAll();
    });
  }

  /** Runs one attempt and reports it; resolves true when the step was handed back instead. */
  private execute(message: Envelope<'step.execute'>, step: Running): Promise<boolean> {
    const { runId, nodeId = '', attempt = 1 } = message;
    return inSpan(
      `weft.step ${message.payload.task}`,
      {
        traceparent: message.traceparent,
        attributes: { 'weft.run_id': runId, 'weft.node_id': nodeId, 'weft.attempt': attempt },
      },
      (traceparent) => this.attempt(message, step, traceparent),
    );
  }

  private async attempt(
    message: Envelope<'step.execute'>,
    step: Running,
    traceparent: string | undefined,
  ): Promise<boolean> {
    const { runId, nodeId = '', attempt = 1 } = message;
    const log = this.log.child({ runId, nodeId, attempt, task: message.payload.task });
    const startedAt = Date.now();
    const task = message.payload.task;
    const queuedAt = Date.parse(message.createdAt);
    if (Number.isFinite(queuedAt)) {
      this.metrics?.stepQueue.observe({ task }, Math.max(0, startedAt - queuedAt) / 1000);
    }
    const base = { runId, nodeId, attempt, ...(traceparent ? { traceparent } : {}) };
    await this.report(
      makeEnvelope({
        ...base,
        id: randomUUID(),
        type: 'step.started',
        createdAt: startedAt,
        payload: { workerId: this.options.workerId, startedAt },
      }),
    );
    const outcome = await executeStep(this.handlers, message.payload.task, message.payload.inputs, {
      runId,
      nodeId,
      attempt,
      appId: message.payload.appId,
      idempotencyKey: message.payload.idempotencyKey,
      signal: step.controller.signal,
      ...(message.payload.model_id !== undefined ? { model_id: message.payload.model_id } : {}),
      ...(message.payload.timeoutMs !== undefined ? { timeoutMs: message.payload.timeoutMs } : {}),
    });
    if (step.controller.signal.reason === HANDED_BACK) {
      log.info('step handed back');
      return true;
    }
    const finishedAt = Date.now();
    const times = { workerId: this.options.workerId, startedAt, finishedAt };
    this.metrics?.stepDuration.observe({ task }, (finishedAt - startedAt) / 1000);
    this.metrics?.stepAttempts.inc({ task, outcome: outcome.ok ? 'succeeded' : 'failed' });
    if (!outcome.ok) this.metrics?.stepFailures.inc({ task, code: outcome.error.code });
    if (outcome.ok) {
      log.debug('step succeeded', { durationMs: finishedAt - startedAt });
      await this.report(
        makeEnvelope({
          ...base,
          id: randomUUID(),
          type: 'step.succeeded',
          createdAt: finishedAt,
          payload: { ...times, result: outcome.result },
        }),
      );
    } else {
      log.info('step failed', { code: outcome.error.code, retryable: outcome.error.retryable });
      await this.report(
        makeEnvelope({
          ...base,
          id: randomUUID(),
          type: 'step.failed',
          createdAt: finishedAt,
          payload: { ...times, error: outcome.error },
        }),
      );
    }
    return false;
  }

  /** Publishes a step report, retrying while the broker is away: a lost report is a lost step. */
  private async report(message: Envelope): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.producer?.send(STEP_RESULTS_TOPIC, [
          {
            key: message.runId,
            value: JSON.stringify(message),
            ...(message.traceparent ? { headers: { traceparent: message.traceparent } } : {}),
          },
        ]);
        return;
      } catch (error) {
        if (this.stopping && attempt > 3) throw error;
        this.log.warn('could not publish a step report; retrying', { runId: message.runId, error });
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 100 * 2 ** attempt)));
      }
    }
  }

  private async onRunEvent(message: ConsumedMessage): Promise<void> {
    const parsed = parseEnvelope(message.value);
    if (!parsed.ok || !parsed.envelope.type.startsWith('run.')) return;
    const runId = parsed.envelope.runId;
    for (const step of this.running) {
      if (step.runId === runId) {
        step.controller.abort(
          new StepFailure('run_ended', `the run ended (${parsed.envelope.type})`, false),
        );
      }
    }
  }

  private async sendToDeadLetters(
    message: ConsumedMessage,
    code: string,
    reason: string,
  ): Promise<void> {
    this.log.warn('dead-lettering a message', {
      topic: message.topic,
      offset: message.offset,
      code,
      reason,
    });
    const record = deadLetter(message, { code, reason }, this.options.workerId, Date.now());
    await this.producer?.send(DEAD_LETTERS_TOPIC, [
      { key: message.key ?? 'unknown', value: JSON.stringify(record) },
    ]);
  }

  private pauseAll(): void {
    if (this.paused) return;
    this.paused = true;
    for (const pool of this.pools) {
      try {
        pool.consumer.pause([{ topic: pool.topic }]);
      } catch (error) {
        this.log.warn('could not pause a consumer', { topic: pool.topic, error });
      }
    }
  }

  private resumeAll(): void {
    if (!this.paused) return;
    this.paused = false;
    for (const pool of this.pools) {
      try {
        pool.consumer.resume([{ topic: pool.topic }]);
      } catch (error) {
        // A consumer kafkajs is restarting (after a broker outage) refuses resume; it starts
        // fetching again by itself once it rejoins, so this is not the worker's end.
        this.log.warn('could not resume a consumer', { topic: pool.topic, error });
      }
    }
  }

  /** Attempt keys this worker took recently, oldest first: enough to span any redelivery. */
  private readonly attempts = new Set<string>();

  private rememberAttempt(key: string): void {
    this.attempts.add(key);
    if (this.attempts.size > RECENT_ATTEMPTS) {
      const oldest = this.attempts.values().next().value;
      if (oldest !== undefined) this.attempts.delete(oldest);
    }
  }

  private async commit(): Promise<void> {
    await Promise.all(
      this.pools.map(async (pool) => {
        const offsets = pool.tracker.committable();
        if (offsets.length === 0) return;
        try {
          await pool.consumer.commit(offsets);
          pool.tracker.markCommitted(offsets);
        } catch (error) {
          // A partition taken away by a rebalance cannot be committed by us; its new owner will.
          this.log.debug('offset commit refused', { topic: pool.topic, error });
        }
      }),
    );
  }
}
