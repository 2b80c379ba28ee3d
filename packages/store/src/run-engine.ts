import {
  applyStepResult,
  applyTimers,
  cancelRun,
  isResumable,
  isTerminalRunStatus,
  nextTimerAt,
  resumeRun,
  startRun,
  type StepResultEnvelope,
} from '@weft/core';
import { DeferredClears, type DeferOptions } from './deferred-clears';
import type { DefinitionStore } from './definition-store';
import { newId } from './ids';
import type { OutboxPublisher } from './outbox-publisher';
import { RecentRuns } from './recent-runs';
import type { RunStore } from './run-store';
import { outboxOf } from './run-write';
import type { Change, CreateRunInput, StoredRun } from './stored-run';
import {
  transitionContext,
  TransitionWriter,
  type AppliedTransition,
  type SoonApplied,
} from './transition-writer';

/** Hears about runs as an engine changes them: each start once, each end once. */
export interface RunObserver {
  started?(run: StoredRun): void;
  finished?(run: StoredRun): void;
}

/**
 * Moves runs through core's run machine: each change (a start, a step result, due timers, a
 * cancel or a resume) is computed on the run, written by the store with the messages it implies
 * (the outbox) in one compare-and-set, then published. Transitions asked for together are written
 * together (group commit). Started, it leaves published messages for the run's next write to
 * remove and flushes the rest on its own timer (see DeferredClears); never started, it removes
 * them right after publishing.
 */
export class RunEngine {
  /** The last version of each run this engine wrote, so that the next transition reads nothing. */
  private readonly recent = new RecentRuns();
  private readonly clears: DeferredClears;
  private readonly writer: TransitionWriter;
  private readonly observers: RunObserver[] = [];

  constructor(
    private readonly store: RunStore,
    private readonly definitions: DefinitionStore,
    private readonly publisher: OutboxPublisher,
    private readonly clock: () => number = Date.now,
  ) {
    this.clears = new DeferredClears(store, publisher, this.recent);
    this.writer = new TransitionWriter({
      store,
      definitions,
      recent: this.recent,
      clears: this.clears,
      clock,
      onWritten: (before, after, messages) => this.written(before, after, messages),
    });
  }

  /**
   * From now on, published messages stay in their run's outbox until the run's next change, which
   * removes them in the same write, or until this engine's flush, which runs on its own timer well
   * within the sweeper's age. A step then costs one database write instead of two. Every start
   * needs its `stop`.
   */
  start(options: DeferOptions): void {
    this.clears.start(options);
  }

  /**
   * Ends a start; after the last, flushes what is waiting and removes messages as published.
   * Changes held by applyStepResultSoon are written first.
   */
  async stop(): Promise<void> {
    await this.writer.writeHeldNow();
    return this.clears.stop();
  }

  /** Tells `observer` about runs this engine starts and ends (metrics count them). */
  observe(observer: RunObserver): void {
    this.observers.push(observer);
  }

  /**
   * Creates a run with its first ready steps in one insert, then publishes them. With an
   * idempotency key, a second call from the same app returns the first call's run.
   */
  async create(input: CreateRunInput): Promise<{ run: StoredRun; created: boolean }> {
    let runId = newId('run');
    if (input.idempotencyKey !== undefined) {
      const claimed = await this.store.claimIdempotencyKey(
        input.appId,
        input.idempotencyKey,
        runId,
        this.clock(),
      );
      if (claimed.run) return { run: claimed.run, created: false };
      // When the key was recorded but its run never written (a crash between): write it now.
      runId = claimed.runId;
    }

    const definitionId = await this.definitions.put(input.definition);
    const now = this.clock();
    const transition = startRun(
      { id: runId, appId: input.appId, input: input.input },
      transitionContext(input.definition, now, input.traceparent),
    );
    const outbox = outboxOf(transition, now);
    const timerAt = nextTimerAt(transition.run);
    const run: StoredRun = {
      ...transition.run,
      v: 1,
      definitionId,
      workflow: input.workflow,
      updatedAt: now,
      ...(input.webhookUrl !== undefined ? { webhookUrl: input.webhookUrl } : {}),
      ...(input.idempotencyKey !== undefined ? { idempotencyKey: input.idempotencyKey } : {}),
      ...(input.traceparent !== undefined ? { traceparent: input.traceparent } : {}),
      ...(Object.keys(outbox).length > 0 ? { outbox, outboxAt: now } : {}),
      ...(timerAt === undefined ? {} : { timerAt }),
    };
    const inserted = await this.store.insert(run);
    if (!inserted.created) return inserted;
    await this.publishQuietly(run);
    for (const observer of this.observers) observer.started?.(run);
    if (isTerminalRunStatus(run.status)) {
      for (const observer of this.observers) observer.finished?.(run);
    }
    return inserted;
  }

  /** Cancels the app's run unless it has ended; undefined when there is no such run. */
  async cancel(appId: string, runId: string): Promise<StoredRun | undefined> {
    return (await this.transition(runId, (run, context) => cancelRun(run, context), appId))?.run;
  }

  /** Resumes the app's run from its uncompleted nodes, if it ended other than completed. */
  async resume(
    appId: string,
    runId: string,
  ): Promise<{ run: StoredRun } | { notResumable: StoredRun } | undefined> {
    const applied = await this.transition(
      runId,
      (run, context) =>
        isResumable(run.status) ? resumeRun(run, context) : { run, messages: [], changed: false },
      appId,
    );
    if (!applied) return undefined;
    return applied.changed ? { run: applied.run } : { notResumable: applied.run };
  }

  /** Applies a worker's step report (exactly once in effect; see applyStepResult). */
  async applyStepResult(message: StepResultEnvelope): Promise<AppliedTransition | undefined> {
    return this.transition(message.runId, (run, context) => applyStepResult(run, message, context));
  }

  /**
   * As applyStepResult, but a change that implies no message (a lease granted or renewed, a node
   * done with nothing ready after it) is answered at once and written with the run's next change
   * or soon after: `durable` says when. Only for the owner of the run's results partition, which
   * calls `forgetLearnt` whenever it may have lost it meanwhile (see TransitionWriter.writeSoon).
   */
  applyStepResultSoon(message: StepResultEnvelope): Promise<SoonApplied> {
    return this.writer.writeSoon(message.runId, (run, context) =>
      applyStepResult(run, message, context),
    );
  }

  /** Runs learnt from their messages may be stale: read them afresh (see applyStepResultSoon). */
  forgetLearnt(): void {
    this.writer.forgetLearnt();
  }

  /** Acts on the run's due timers (retries, step deadlines, the run timeout). */
  async applyTimers(runId: string): Promise<AppliedTransition | undefined> {
    return this.transition(runId, (run, context) => applyTimers(run, context));
  }

  /**
   * Publishes a run's outbox (for the sweeper); failures surface to the caller. Entries this
   * engine published itself and has yet to clear are cleared, not published again.
   */
  async publishOutbox(run: Pick<StoredRun, 'id' | 'outbox' | 'outboxAt'>): Promise<void> {
    const known = this.clears.of(run.id);
    const entries = Object.entries(run.outbox ?? {});
    const published = entries.filter(([id]) => known?.has(id)).map(([id]) => id);
    if (published.length > 0) {
      const rest = entries.filter(([id]) => !known?.has(id));
      await this.publisher.clear(run, published);
      this.clears.forget(run.id, published);
      this.recent.forget(run.id);
      if (rest.length === 0) return;
      run = { ...run, outbox: Object.fromEntries(rest) };
    }
    await this.publisher.publish(run);
  }

  /**
   * Reads the run, computes `change` on it, and writes the result only if nobody wrote the run in
   * between (its version is unchanged); on a conflict it reads again and recomputes. Transitions
   * asked for while a write is in flight are written together (see TransitionWriter).
   */
  transition(
    runId: string,
    change: Change,
    appId?: string,
  ): Promise<AppliedTransition | undefined> {
    return this.writer.write(runId, change, appId);
  }

  /** After a transition was written: tell observers of the run's end, and publish. */
  private written(
    before: StoredRun,
    after: StoredRun,
    messages: ReadonlySet<string>,
  ): Promise<void> {
    if (isTerminalRunStatus(after.status) && !isTerminalRunStatus(before.status)) {
      for (const observer of this.observers) observer.finished?.(after);
    }
    return this.publishQuietly(after, messages);
  }

  /**
   * Publishing right after the write is the fast path; if it fails the messages stay in the
   * outbox and the orchestrator's sweeper publishes them, so the caller's request still succeeds.
   */
  private async publishQuietly(run: StoredRun, only?: ReadonlySet<string>): Promise<void> {
    if (only?.size === 0) return;
    try {
      if (!this.clears.deferring) {
        await this.publisher.publish(run, only);
        return;
      }
      const sent = await this.publisher.send(run, only);
      if (this.clears.deferring) {
        this.clears.record(run, sent);
        return;
      }
      // Stopped while sending: nothing flushes these any more, so they are cleared now, and the
      // copy kept of the run, whose outbox this changes without a new version, is dropped first.
      this.recent.forget(run.id);
      if (sent.length > 0) await this.publisher.clear(run, sent);
    } catch {
      // Left for the sweeper: the change itself is durable.
    }
  }
}
