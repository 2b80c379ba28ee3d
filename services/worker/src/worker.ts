import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  engineTopics,
  envelope as makeEnvelope,
  MAX_MESSAGE_BYTES,
  parseEnvelope,
  RUN_EVENTS_TOPIC,
  stepError,
  StepFailure,
  STEP_RESULTS_TOPIC,
  transientRetryDelayMs,
  workerControlGroup,
  workerGroup,
  workerTopics,
  type Envelope,
  type StepError,
} from '@weft/core';
import {
  ensureTopics,
  type ConsumedMessage,
  type KafkaClient,
  type KafkaConsumer,
  type KafkaProducer,
} from '@weft/kafka';
import { inSpan, PeriodicTasks, type Logger, type WeftMetrics } from '@weft/observability';
import { sendToDeadLetters } from '@weft/service';
import { executeStep, type StepHandler } from '@weft/steps';
import type { AttemptClaims } from '@weft/store';
import type { WorkerOptions } from './config';
import { OffsetTracker } from './offset-tracker';

/** How often a worker says it is alive, for attempts it claimed. */
const HEARTBEAT_MS = 1_000;
/** How often a worker waiting on another's claim looks again. */
const CLAIM_POLL_MS = 500;
/** How often expired claims and heartbeats are deleted. */
const CLAIM_SWEEP_MS = 10 * 60_000;

/** What became of an accepted step message. */
type Ending = 'done' | 'handed-back';

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
const HANDED_BACK = new StepFailure('worker_stopping', 'the worker is stopping');

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
  /**
   * Messages taken beyond `concurrency`, waiting for a slot: up to as many again. A step that ends
   * starts the next at once, instead of waiting for a paused consumer's next fetch.
   */
  private readonly backlog: { key: string; start: () => void }[] = [];
  private paused = false;
  private stopping = false;
  private readonly periodic: PeriodicTasks;
  private idle?: () => void;
  /** This process, as a claim holder: a restarted worker with the same id is another holder. */
  private readonly holder: string;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly claims: AttemptClaims,
    private readonly handlers: Readonly<Record<string, StepHandler>>,
    private readonly options: WorkerOptions,
    private readonly log: Logger,
    private readonly metrics?: WeftMetrics,
  ) {
    this.holder = `${options.workerId}:${randomUUID().slice(0, 8)}`;
    this.periodic = new PeriodicTasks(log);
  }

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
    await this.claims.beat(this.holder);
    this.periodic.every(HEARTBEAT_MS, () => this.claims.beat(this.holder));
    this.periodic.every(CLAIM_SWEEP_MS, () => this.claims.sweep());

    // Every worker hears every run event, to abort the steps of runs that were cancelled or ended.
    this.control = await this.kafka.consumer({
      groupId: workerControlGroup(this.options.workerId, randomUUID()),
      topics: [RUN_EVENTS_TOPIC],
    });
    await this.control.run(async (message) => this.onRunEvent(message));

    // One consumer group per topic: a pool serving other types never takes these partitions.
    for (const topic of workerTopics(this.options.stepTypes, this.options.region)) {
      const consumer = await this.kafka.consumer({
        groupId: workerGroup(topic),
        topics: [topic],
        fromBeginning: true,
        autoCommit: false,
        sessionTimeoutMs: this.options.sessionTimeoutMs,
        // A paused consumer (at capacity) looks again after this long once resumed: short, so a
        // busy pool is fed as fast as its steps end.
        maxWaitTimeMs: 100,
      });
      const pool: Pool = { consumer, topic, tracker: new OffsetTracker() };
      this.pools.push(pool);
      await consumer.run(async (message) => this.accept(pool, message));
    }
    this.periodic.every(this.options.commitIntervalMs, () => this.commit());
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
    // Never started: their offsets stay uncommitted, and another worker takes them.
    for (const waiting of this.backlog.splice(0)) this.attempts.delete(waiting.key);
    if (this.running.size > 0) {
      this.log.info('waiting for steps in flight', { inFlight: this.running.size });
      await Promise.race([
        new Promise<void>((resolve) => (this.idle = resolve)),
        new Promise((resolve) => setTimeout(resolve, this.options.shutdownGraceMs)),
      ]);
      for (const step of this.running) step.controller.abort(HANDED_BACK);
    }
    await this.commit();
    await Promise.allSettled([
      ...this.pools.map((pool) => pool.consumer.disconnect()),
      this.control?.disconnect(),
    ]);
    await this.producer?.disconnect();
    // Last: a step handed back above is released by its claim, not by our silence.
    await this.periodic.stop();
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
      const code = parsed.ok ? 'unexpected_type' : parsed.problem.code;
      const by = this.options.workerId;
      await sendToDeadLetters(this.producer, message, { code, reason, by }, this.log);
      pool.tracker.begin(message.topic, message.partition, message.offset);
      pool.tracker.end(message.topic, message.partition, message.offset);
      return;
    }
    pool.tracker.begin(message.topic, message.partition, message.offset);
    const key = parsed.envelope.payload.idempotencyKey;
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
    const envelope = parsed.envelope;
    const start = () => {
      const step: Running = { runId: envelope.runId, controller: new AbortController() };
      this.running.add(step);
      this.countInFlight();
      const finish = (ending: Ending) => {
        this.running.delete(step);
        this.countInFlight();
        // A handed-back attempt must run again, wherever its message goes next.
        if (ending === 'handed-back') this.attempts.delete(key);
        else pool.tracker.end(message.topic, message.partition, message.offset);
        if (!this.stopping) this.backlog.shift()?.start();
        if (this.running.size === 0) this.idle?.();
        if (this.paused && !this.stopping && this.taken() < this.options.concurrency * 2) {
          this.resumeAll();
        }
      };
      this.claimAndExecute(envelope, step).then(finish, (error: unknown) => {
        // Only a report that could not be published while stopping gets here: its offset stays
        // uncommitted, so the attempt is delivered again and reported by whoever runs it.
        this.log.warn('step handed back unreported', { runId: envelope.runId, error });
        void this.release(key);
        finish('handed-back');
      });
    };
    if (this.running.size < this.options.concurrency) start();
    else this.backlog.push({ key, start });
    if (this.taken() >= this.options.concurrency * 2) this.pauseAll();
  }

  /** Messages taken and not finished: running, or waiting in the backlog. */
  private taken(): number {
    return this.running.size + this.backlog.length;
  }

  /** Claims the attempt, then runs it if this worker is the one that should. */
  private async claimAndExecute(message: Envelope<'step.execute'>, step: Running): Promise<Ending> {
    const decision = await this.claimAttempt(message);
    if (decision === 'drop') return 'done';
    if (decision === 'stopping') return 'handed-back';
    if (!(await this.execute(message, step))) return 'done';
    await this.release(message.payload.idempotencyKey);
    return 'handed-back';
  }

  /**
   * Claims the attempt before its side effect. When another live worker holds it (a rebalance
   * handed us a message it is still running), waits until the run no longer needs the attempt
   * (reported, timed out, cancelled) or that worker stops beating, and then takes it over.
   */
  private async claimAttempt(
    message: Envelope<'step.execute'>,
  ): Promise<'run' | 'drop' | 'stopping'> {
    const { runId, nodeId = '', attempt = 1 } = message;
    const key = message.payload.idempotencyKey;
    const staleMs = this.options.holderStaleMs;
    let waiting = false;
    for (let failures = 0; !this.stopping;) {
      try {
        const answer = await this.claims.claim(key, this.holder);
        if (answer.claimed) return 'run';
        if (!(await this.claims.attemptIsOpen(runId, nodeId, attempt))) {
          this.log.info('attempt already run by another worker', { runId, nodeId, attempt });
          return 'drop';
        }
        const seen = await this.claims.lastSeen(answer.holder);
        if (seen === undefined || Date.now() - seen > staleMs) {
          if (await this.claims.takeOver(key, answer.holder, this.holder)) {
            this.log.info('took over an attempt from a silent worker', {
              runId,
              nodeId,
              attempt,
              from: answer.holder,
            });
            return 'run';
          }
          continue;
        }
        if (!waiting) {
          waiting = true;
          this.log.info('attempt held by another worker; waiting', {
            runId,
            nodeId,
            attempt,
            holder: answer.holder,
          });
        }
        await sleep(CLAIM_POLL_MS);
        failures = 0;
      } catch (error) {
        // The database is away (restarting): the attempt waits for it rather than running blind.
        this.log.warn('could not claim an attempt; retrying', { runId, nodeId, attempt, error });
        await sleep(transientRetryDelayMs(failures++));
      }
    }
    return 'stopping';
  }

  /** Gives up this process's claim, so the next worker runs a handed-back attempt at once. */
  private async release(key: string): Promise<void> {
    try {
      await this.claims.release(key, this.holder);
    } catch (error) {
      // It is taken over once this process stops beating.
      this.log.warn('could not release a claim', { key, error });
    }
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
    // A step that ends within the delay is reported once, by its result (which carries its start
    // time too): one message and one run update fewer for the quick steps most workflows are.
    let started: Promise<void> | undefined;
    const startedTimer = setTimeout(() => {
      started = this.report(
        makeEnvelope({
          ...base,
          id: randomUUID(),
          type: 'step.started',
          createdAt: startedAt,
          payload: { workerId: this.options.workerId, startedAt },
        }),
      );
      // Awaited below; a rejection before then is not unhandled.
      started.catch(() => undefined);
    }, this.options.startedReportDelayMs);
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
    clearTimeout(startedTimer);
    // The start goes out before the result: both are keyed by run, so they stay in this order.
    await started;
    if (step.controller.signal.reason === HANDED_BACK) {
      log.info('step handed back');
      return true;
    }
    const finishedAt = Date.now();
    const times = { workerId: this.options.workerId, startedAt, finishedAt };
    const failed = (error: StepError) =>
      makeEnvelope({
        ...base,
        id: randomUUID(),
        type: 'step.failed',
        createdAt: finishedAt,
        payload: { ...times, error },
      });
    let report: Envelope = outcome.ok
      ? makeEnvelope({
          ...base,
          id: randomUUID(),
          type: 'step.succeeded',
          createdAt: finishedAt,
          payload: { ...times, result: outcome.result },
        })
      : failed(outcome.error);
    let value = JSON.stringify(report);
    const bytes = Buffer.byteLength(value);
    if (bytes > MAX_MESSAGE_BYTES) {
      // The broker would refuse this report for good: the node fails instead of hanging.
      report = failed(
        stepError(
          'output_too_large',
          `the step's report is ${bytes} bytes; a message may have ${MAX_MESSAGE_BYTES}`,
        ),
      );
      value = JSON.stringify(report);
    }
    this.metrics?.stepDuration.observe({ task }, (finishedAt - startedAt) / 1000);
    if (report.type === 'step.failed') {
      const { error } = report.payload;
      this.metrics?.stepAttempts.inc({ task, outcome: 'failed' });
      this.metrics?.stepFailures.inc({ task, code: error.code });
      log.info('step failed', { code: error.code, retryable: error.retryable });
    } else {
      this.metrics?.stepAttempts.inc({ task, outcome: 'succeeded' });
      log.debug('step succeeded', { durationMs: finishedAt - startedAt });
    }
    await this.report(report, value);
    return false;
  }

  /** Publishes a step report, retrying while the broker is away: a lost report is a lost step. */
  private async report(message: Envelope, value = JSON.stringify(message)): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.producer?.send(STEP_RESULTS_TOPIC, [
          {
            key: message.runId,
            value,
            ...(message.traceparent ? { headers: { traceparent: message.traceparent } } : {}),
          },
        ]);
        return;
      } catch (error) {
        if (this.stopping && attempt > 3) throw error;
        this.log.warn('could not publish a step report; retrying', { runId: message.runId, error });
        await sleep(transientRetryDelayMs(attempt));
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
          new StepFailure('run_ended', `the run ended (${parsed.envelope.type})`),
        );
      }
    }
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
