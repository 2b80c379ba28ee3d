// The worker runtime: its parts composed, started and stopped in order, and the run events and
// lease answers it hears.

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  engineTopics,
  isRunEvent,
  parseEnvelope,
  RUN_EVENTS_TOPIC,
  STEP_LEASES_TOPIC,
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
import { AttemptRunner, HANDED_BACK, type ArtifactUpload } from './attempt-runner';
import { Backlog } from './backlog';
import type { TaskTypes } from './execute-step';
import { LeaseHolder } from './lease-holder';
import type { OffsetTracker } from './offset-tracker';
import { RecentAttempts } from './recent-attempts';
import { ReportPublisher } from './report-publisher';
import { runEndEnds, type StepOfRun } from './run-ends';
import type { RuntimeOptions } from './runtime-options';
import { StepConsumers } from './step-consumers';

/** What became of an accepted step message. */
type Ending = 'done' | 'handed-back';

/** A step message taken: its attempt, its run, and what aborts it once it runs. */
interface Step extends StepOfRun {
  key: string;
  controller: AbortController;
}

/** How long stopping waits for aborted steps to report their hand-back. */
const HAND_BACK_WAIT_MS = 5_000;

/** When no artifact store was given: a handler that stores one fails, saying what is missing. */
const NO_ARTIFACTS: ArtifactUpload = () =>
  Promise.reject(
    new StepFailure(
      'provider_not_configured',
      'this worker cannot store artifacts: give it the gateway URL and a credential',
    ),
  );

/**
 * The worker runtime: consumes `weft.steps.<type>` topics, keeps up to `concurrency` steps in
 * flight beyond its partition count, claims each attempt from the orchestrator before running it
 * and reports its outcome on `weft.step-results`. It pauses its consumers at capacity instead of
 * blocking them, so a step that takes minutes never stops heartbeats nor causes a rebalance; it
 * commits offsets only below its oldest unfinished message, so a crash re-delivers exactly what
 * was unfinished. It needs Kafka only.
 */
export class WorkerRuntime {
  private control?: KafkaConsumer;
  private readonly consumers: StepConsumers;
  private readonly backlog: Backlog<Step>;
  private readonly recentAttempts = new RecentAttempts();
  private readonly leases: LeaseHolder;
  private readonly reports: ReportPublisher;
  private readonly attempts: AttemptRunner;
  /** Aborted once the worker starts stopping. */
  private readonly stopping = new AbortController();
  private readonly periodic: PeriodicTasks;
  private started = false;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly taskTypes: TaskTypes,
    private readonly options: RuntimeOptions,
    private readonly log: Logger,
    private readonly metrics?: WeftMetrics,
    uploadArtifact: ArtifactUpload = NO_ARTIFACTS,
  ) {
    const stopping = this.stopping.signal;
    this.periodic = new PeriodicTasks(log);
    this.consumers = new StepConsumers(kafka, log);
    this.backlog = new Backlog(options.concurrency, this.consumers, (running) =>
      this.countInFlight(running),
    );
    this.reports = new ReportPublisher(kafka, options.workerId, stopping, log);
    this.leases = new LeaseHolder(this.reports, options.workerId, options.leaseMs, stopping, log);
    const { workerId } = options;
    this.attempts = new AttemptRunner(
      taskTypes,
      workerId,
      this.reports,
      uploadArtifact,
      log,
      metrics,
    );
  }

  /** The task types served. */
  get served(): string[] {
    return [...this.taskTypes.keys()];
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
    await ensureTopics(this.kafka, engineTopics(this.options.topicPartitions, this.served));
    await this.reports.connect();
    this.leases.startBeating(this.periodic);

    // Every worker hears every run event, to abort the steps of runs that were cancelled or ended,
    // and every lease answer, to keep those addressed to it. Joined before the first claim.
    this.control = await this.kafka.consumer({
      groupId: workerControlGroup(this.options.workerId, randomUUID()),
      topics: [RUN_EVENTS_TOPIC, STEP_LEASES_TOPIC],
      // A group of this process alone, started at the latest offset: nothing to commit for.
      autoCommit: false,
    });
    await this.control.run(async (message) => this.onControl(message));

    await this.consumers.start(
      workerTopics(this.served, this.options.region),
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
   * Stops taking work, waits up to the grace period for steps in flight, hands back the rest (the
   * orchestrator queues them again at once), commits and disconnects.
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
      // Their hand-backs are reported before the producer goes.
      await Promise.race([
        this.backlog.whenIdle(),
        sleep(HAND_BACK_WAIT_MS, undefined, { ref: false }),
      ]);
    }
    await this.consumers.commit();
    await Promise.allSettled([this.consumers.disconnect(), this.control?.disconnect()]);
    await this.periodic.stop();
    await this.reports.disconnect();
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
   * Runs a step that got its slot, then frees the slot. `done` ends its message, to be committed.
   * A step handed back leaves its message unfinished, for whoever takes the partition next: a step
   * never claimed runs there; one this worker held is answered `closed` there (its hand-back
   * queued the next attempt) or `held` (the hand-back was lost: the lease runs out instead).
   */
  private run(step: Step, message: Envelope<'step.execute'>, done: () => void): void {
    const finish = (ending: Ending) => {
      // A handed-back attempt must run again, wherever its message goes next.
      if (ending === 'handed-back') this.recentAttempts.forget(step.key);
      else done();
      this.backlog.end(step);
    };
    this.claimAndExecute(message, step).then(finish, (error: unknown) => {
      // Only a report that could not be published while stopping gets here; the attempt was
      // handed back (claimAndExecute), so the next one runs elsewhere.
      this.log.warn('step handed back unreported', { runId: message.runId, error });
      finish('handed-back');
    });
  }

  /** Claims the attempt, then runs it if this worker is the one that should. */
  private async claimAndExecute(message: Envelope<'step.execute'>, step: Step): Promise<Ending> {
    const startedAt = Date.now();
    const decision = await this.leases.claim(message, step.controller, startedAt);
    if (decision === 'drop') return 'done';
    if (decision === 'stopping') return 'handed-back';
    // Handed back unless it reports: a report that could not be published gives the attempt back
    // too, so that it runs again at once instead of when its lease runs out.
    let handedBack = true;
    try {
      handedBack = await this.attempts.run(message, step.controller.signal, startedAt);
    } finally {
      await this.leases.end(message, handedBack);
    }
    return handedBack ? 'handed-back' : 'done';
  }

  private async onControl(message: ConsumedMessage): Promise<void> {
    // Every worker reads every lease answer: those for other holders are skipped unparsed.
    if (message.topic === STEP_LEASES_TOPIC && !this.leases.mayBeFor(message.value)) return;
    const parsed = parseEnvelope(message.value);
    if (!parsed.ok) return;
    const event = parsed.envelope;
    if (event.type === 'step.lease') {
      this.leases.onAnswer(event);
      return;
    }
    if (!isRunEvent(event)) return;
    // Waiting steps too: aborted before they start, their handlers never run.
    for (const step of this.backlog.takenSteps()) {
      if (runEndEnds(event, step)) {
        step.controller.abort(new StepFailure('run_ended', `the run ended (${event.type})`));
      }
    }
  }
}
