// The worker: its parts composed, started and stopped in order, and the run events that abort
// its steps.

import { randomUUID } from 'node:crypto';
import {
  engineTopics,
  isRunEvent,
  parseEnvelope,
  RUN_EVENTS_TOPIC,
  StepFailure,
  workerControlGroup,
  workerTopics,
  type Envelope,
} from '@weft/core';
import {
  ensureTopics,
  type ConsumedMessage,
  type KafkaClient,
  type KafkaConsumer,
} from '@weft/kafka';
import { PeriodicTasks, type Logger, type WeftMetrics } from '@weft/observability';
import type { StepHandler } from '@weft/steps';
import type { AttemptClaims } from '@weft/store';
import { AttemptRunner, HANDED_BACK } from './attempt-runner';
import { Backlog } from './backlog';
import { ClaimHolder } from './claim-holder';
import type { WorkerOptions } from './config';
import type { OffsetTracker } from './offset-tracker';
import { RecentAttempts } from './recent-attempts';
import { ReportPublisher } from './report-publisher';
import { StepConsumers } from './step-consumers';
import { runEndEnds, type StepOfRun } from './run-ends';

/** What became of an accepted step message. */
type Ending = 'done' | 'handed-back';

/** A step message taken: its attempt, its run, and what aborts it once it runs. */
interface Step extends StepOfRun {
  key: string;
  controller: AbortController;
}

/**
 * The worker runtime: consumes `weft.steps.<type>` topics, keeps up to `concurrency` steps in
 * flight beyond its partition count, and reports each attempt's start and outcome on
 * `weft.step-results`. It pauses its consumers at capacity instead of blocking them, so a step
 * that takes minutes never stops heartbeats nor causes a rebalance; it commits offsets only below
 * its oldest unfinished message, so a crash re-delivers exactly what was unfinished.
 */
export class Worker {
  private control?: KafkaConsumer;
  private readonly consumers: StepConsumers;
  private readonly backlog: Backlog<Step>;
  private readonly recentAttempts = new RecentAttempts();
  private readonly claims: ClaimHolder;
  private readonly reports: ReportPublisher;
  private readonly attempts: AttemptRunner;
  /** Aborted once the worker starts stopping. */
  private readonly stopping = new AbortController();
  private readonly periodic: PeriodicTasks;
  private started = false;

  constructor(
    private readonly kafka: KafkaClient,
    claims: AttemptClaims,
    handlers: Readonly<Record<string, StepHandler>>,
    private readonly options: WorkerOptions,
    private readonly log: Logger,
    private readonly metrics?: WeftMetrics,
  ) {
    const stopping = this.stopping.signal;
    this.periodic = new PeriodicTasks(log);
    this.consumers = new StepConsumers(kafka, log);
    this.backlog = new Backlog(options.concurrency, this.consumers, (running) =>
      this.countInFlight(running),
    );
    this.claims = new ClaimHolder(claims, options.workerId, options.holderStaleMs, stopping, log);
    this.reports = new ReportPublisher(kafka, options.workerId, stopping, log);
    this.attempts = new AttemptRunner(handlers, options, this.reports, log, metrics);
  }

  /** Steps running now. */
  get inFlight(): number {
    return this.backlog.running.size;
  }

  /** True from joining its consumer groups until it starts stopping. */
  get ready(): boolean {
    return this.started && !this.stopping.signal.aborted;
  }

  private countInFlight(running: number): void {
    this.metrics?.workerInFlight.set({ worker: this.options.workerId }, running);
  }

  async start(): Promise<void> {
    await ensureTopics(this.kafka, engineTopics(this.options.topicPartitions));
    await this.reports.connect();
    await this.claims.startBeating(this.periodic);

    // Every worker hears every run event, to abort the steps of runs that were cancelled or ended.
    this.control = await this.kafka.consumer({
      groupId: workerControlGroup(this.options.workerId, randomUUID()),
      topics: [RUN_EVENTS_TOPIC],
    });
    await this.control.run(async (message) => this.onRunEvent(message));

    await this.consumers.start(
      workerTopics(this.options.stepTypes, this.options.region),
      this.options.sessionTimeoutMs,
      (message, tracker) => this.accept(message, tracker),
    );
    this.periodic.every(this.options.commitIntervalMs, () => this.consumers.commit());
    this.started = true;
    this.countInFlight(this.inFlight);
    this.log.info('worker started', {
      workerId: this.options.workerId,
      region: this.options.region,
      topics: this.consumers.topics,
      concurrency: this.options.concurrency,
    });
  }

  /**
   * Stops taking work, waits up to the grace period for steps in flight, hands back the rest
   * (their offsets stay uncommitted, so another worker takes them), commits and disconnects.
   */
  async stop(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    this.stopping.abort();
    // Never started: their offsets stay uncommitted, and another worker takes them.
    for (const waiting of this.backlog.close()) this.recentAttempts.forget(waiting.key);
    const running = this.backlog.running;
    if (running.size > 0) {
      this.log.info('waiting for steps in flight', { inFlight: running.size });
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([
        this.backlog.whenIdle(),
        new Promise((resolve) => (grace = setTimeout(resolve, this.options.shutdownGraceMs))),
      ]);
      // Steps that end early must not leave the timer holding the process open.
      clearTimeout(grace);
      for (const step of running) step.controller.abort(HANDED_BACK);
    }
    await this.consumers.commit();
    await Promise.allSettled([this.consumers.disconnect(), this.control?.disconnect()]);
    await this.reports.disconnect();
    // Last: a step handed back above is released by its claim, not by our silence.
    await this.periodic.stop();
    this.log.info('worker stopped', { workerId: this.options.workerId });
  }

  /** Takes one message: starts its step and returns at once, so the partition keeps flowing. */
  private async accept(message: ConsumedMessage, tracker: OffsetTracker): Promise<void> {
    if (this.stopping.signal.aborted) return;
    const parsed = parseEnvelope(message.value);
    if (!parsed.ok || parsed.envelope.type !== 'step.execute') {
      const reason = parsed.ok
        ? `unexpected ${parsed.envelope.type} on a step topic`
        : parsed.problem.message;
      const code = parsed.ok ? 'unexpected_type' : parsed.problem.code;
      await this.reports.deadLetter(message, { code, reason });
      tracker.begin(message.topic, message.partition, message.offset);
      tracker.end(message.topic, message.partition, message.offset);
      return;
    }
    tracker.begin(message.topic, message.partition, message.offset);
    const envelope = parsed.envelope;
    const key = envelope.payload.idempotencyKey;
    if (this.recentAttempts.has(key)) {
      // The same attempt again: a re-published outbox message, or a redelivery after a
      // rebalance. Running it twice would repeat its side effect; its result is (or will be)
      // reported by the run already made.
      this.log.info('duplicate step attempt skipped', {
        runId: envelope.runId,
        nodeId: envelope.nodeId,
        attempt: envelope.attempt,
      });
      tracker.end(message.topic, message.partition, message.offset);
      return;
    }
    this.recentAttempts.remember(key);
    const step: Step = {
      key,
      runId: envelope.runId,
      createdAt: envelope.createdAt,
      controller: new AbortController(),
    };
    this.backlog.take(step, () =>
      this.run(step, envelope, () => tracker.end(message.topic, message.partition, message.offset)),
    );
  }

  /**
   * Runs a step that got its slot, then frees the slot. `done` ends its message, to be committed;
   * a step handed back leaves its message unfinished, for whoever takes the partition next.
   */
  private run(step: Step, message: Envelope<'step.execute'>, done: () => void): void {
    const finish = (ending: Ending) => {
      // A handed-back attempt must run again, wherever its message goes next.
      if (ending === 'handed-back') this.recentAttempts.forget(step.key);
      else done();
      this.backlog.end(step);
    };
    this.claimAndExecute(message, step).then(finish, (error: unknown) => {
      // Only a report that could not be published while stopping gets here: its offset stays
      // uncommitted, so the attempt is delivered again and reported by whoever runs it.
      this.log.warn('step handed back unreported', { runId: message.runId, error });
      void this.claims.release(step.key);
      finish('handed-back');
    });
  }

  /** Claims the attempt, then runs it if this worker is the one that should. */
  private async claimAndExecute(message: Envelope<'step.execute'>, step: Step): Promise<Ending> {
    const decision = await this.claims.claim(message);
    if (decision === 'drop') return 'done';
    if (decision === 'stopping') return 'handed-back';
    if (!(await this.attempts.run(message, step.controller.signal))) return 'done';
    await this.claims.release(step.key);
    return 'handed-back';
  }

  private async onRunEvent(message: ConsumedMessage): Promise<void> {
    const parsed = parseEnvelope(message.value);
    if (!parsed.ok || !isRunEvent(parsed.envelope)) return;
    const event = parsed.envelope;
    // Waiting steps too: aborted before they start, their handlers never run.
    for (const step of this.backlog.takenSteps()) {
      if (runEndEnds(event, step)) {
        step.controller.abort(new StepFailure('run_ended', `the run ended (${event.type})`));
      }
    }
  }
}
