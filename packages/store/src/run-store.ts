import { createHash, randomInt } from 'node:crypto';
import type { Collection, UpdateFilter } from 'mongodb';
import type { Connection } from 'mongoose';
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
  type Transition,
  type TransitionContext,
  type WorkflowDefinition,
} from '@weft/core';
import type { DefinitionStore } from './definition-store';
import { newId } from './ids';
import type { OutboxPublisher } from './outbox-publisher';
import { nodeToDocument, runFromDocument, runToDocument, type RunDocument } from './run-document';
import type { CreateRunInput, ListRunsQuery, OutboxEntry, StoredRun } from './stored-run';
import { isDuplicateKey } from './duplicate-key';

interface IdempotencyDocument {
  _id: string;
  appId: string;
  runId: string;
  createdAt: number;
}

/** How many times a transition is retried when another writer changed the run first. */
const MAX_CONFLICTS = 50;
/** How many recently written runs are kept to skip the read before the next transition. */
const RECENT_RUNS = 5_000;

/** The outcome of applying a transition: the run as stored after it. */
export interface AppliedTransition {
  run: StoredRun;
  /** False when the transition was a no-op (a duplicate or late message): nothing was written. */
  changed: boolean;
}

/** Hears about runs as a store changes them: each start once, each end once. */
export interface RunObserver {
  started?(run: StoredRun): void;
  finished?(run: StoredRun): void;
}

/**
 * Runs in MongoDB. Every change is one compare-and-set on the run's version that also writes, in
 * the same single-document update, the messages the change implies (the outbox); those are then
 * published and cleared. No multi-document transactions, so any MongoDB-compatible store works.
 */
export class RunStore {
  private readonly runs: Collection<RunDocument>;
  private readonly idempotency: Collection<IdempotencyDocument>;
  /**
   * The last version of each run this store wrote: the next transition tries its compare-and-set
   * on it without reading first, and reads only when another writer got there in between.
   */
  private readonly recent = new Map<string, StoredRun>();
  /** See clearPublishedLater. */
  private deferClears = false;
  /** Outbox entries published but still in their run's document, by run id. */
  private readonly uncleared = new Map<string, Uncleared>();

  constructor(
    private readonly connection: Connection,
    private readonly definitions: DefinitionStore,
    private readonly publisher: OutboxPublisher,
    private readonly clock: () => number = Date.now,
  ) {
    this.runs = connection.collection<RunDocument>('runs');
    this.idempotency = connection.collection<IdempotencyDocument>('run_idempotency_keys');
  }

  private observers: RunObserver[] = [];

  /** Runs holding outbox messages not yet confirmed published (a gauge for operators). */
  async outboxBacklog(): Promise<number> {
    // The count command, not countDocuments: that one is an aggregation, which mongo-java-server
    // answers by reading every run, where the outboxAt index has the few live ones.
    const database = this.connection.db;
    if (!database) throw new Error('the database connection is not open');
    const counted = await database.command({
      count: this.runs.collectionName,
      query: { outboxAt: { $exists: true } },
    });
    return Number(counted.n);
  }

  /**
   * From now on, published messages stay in their run's outbox until the run's next change, which
   * removes them in the same write, or until `flushPublished`. A step then costs one database
   * write instead of two. The owner must call `flushPublished` well within the sweeper's age
   * (the orchestrator does, every few hundred ms), or the sweeper publishes them again.
   */
  clearPublishedLater(): void {
    this.deferClears = true;
  }

  /**
   * Removes from their runs the published messages no change has removed yet. Runs still at the
   * version this store wrote are cleared together, in one bulk write of compare-and-sets; a run
   * another writer changed since (or any run, when that write fails) is cleared on its own.
   */
  async flushPublished(): Promise<void> {
    const pending = [...this.uncleared];
    this.uncleared.clear();
    // Cleared outside a version change: the cached copies' outboxes are stale now.
    for (const [runId] of pending) this.recent.delete(runId);
    const versioned = pending.filter(([, entry]) => entry.written !== undefined);
    let oneByOne = pending.filter(([, entry]) => entry.written === undefined);
    if (versioned.length > 0) {
      try {
        const result = await this.runs.bulkWrite(
          versioned.map(([runId, { ids, written }]) => ({
            updateOne: {
              filter: { _id: runId, v: written!.v },
              update: { $unset: clearingUpdate(ids, written!.outbox) },
            },
          })),
          { ordered: false },
        );
        if (result.matchedCount !== versioned.length) oneByOne = pending;
      } catch {
        oneByOne = pending;
      }
    }
    for (const [runId, { ids }] of oneByOne) {
      try {
        await this.publisher.clear({ id: runId }, [...ids]);
      } catch {
        // The database is away: the next flush tries again (the sweeper meanwhile knows them
        // published). Should this process die first, the sweeper publishes them again.
        const again = this.uncleared.get(runId) ?? { ids: new Set<string>() };
        for (const id of ids) again.ids.add(id);
        delete again.written;
        this.uncleared.set(runId, again);
      }
    }
  }

  /** Tells `observer` about runs this store starts and ends (metrics count them). */
  observe(observer: RunObserver): void {
    this.observers.push(observer);
  }

  async ensureIndexes(): Promise<void> {
    await Promise.all([
      this.runs.createIndex({ appId: 1, _id: -1 }),
      this.runs.createIndex({ appId: 1, status: 1, _id: -1 }),
      this.runs.createIndex({ timerAt: 1 }, { sparse: true }),
      this.runs.createIndex({ outboxAt: 1 }, { sparse: true }),
    ]);
  }

  /**
   * Creates a run with its first ready steps in one insert, then publishes them. With an
   * idempotency key, a second call from the same app returns the first call's run.
   */
  async create(input: CreateRunInput): Promise<{ run: StoredRun; created: boolean }> {
    let runId = newId('run');
    if (input.idempotencyKey !== undefined) {
      const keyId = createHash('sha256')
        .update(`${input.appId}\0${input.idempotencyKey}`)
        .digest('hex');
      try {
        await this.idempotency.insertOne({
          _id: keyId,
          appId: input.appId,
          runId,
          createdAt: this.clock(),
        });
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        const existing = await this.idempotency.findOne({ _id: keyId });
        if (!existing) throw error;
        const run = await this.get(input.appId, existing.runId);
        if (run) return { run, created: false };
        // The key was recorded but its run never written (a crash between): write it now.
        runId = existing.runId;
      }
    }

    const definitionId = await this.definitions.put(input.definition);
    const now = this.clock();
    const transition = startRun(
      { id: runId, appId: input.appId, input: input.input },
      this.context(input.definition, now, input.traceparent),
    );
    const outbox = outboxOf(transition, now);
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
      ...timerField(transition),
    };
    try {
      await this.runs.insertOne(runToDocument(run));
    } catch (error) {
      if (isDuplicateKey(error) && input.idempotencyKey !== undefined) {
        const raced = await this.get(input.appId, runId);
        if (raced) return { run: raced, created: false };
      }
      throw error;
    }
    await this.publishQuietly(run);
    for (const observer of this.observers) observer.started?.(run);
    if (isTerminalRunStatus(run.status)) {
      for (const observer of this.observers) observer.finished?.(run);
    }
    return { run, created: true };
  }

  /** The run, only if it belongs to `appId`. */
  async get(appId: string, runId: string): Promise<StoredRun | undefined> {
    const document = await this.runs.findOne({ _id: runId, appId });
    return document ? runFromDocument(document) : undefined;
  }

  /** Any app's run: for the engine's own services, never for an API caller. */
  async getById(runId: string): Promise<StoredRun | undefined> {
    const document = await this.runs.findOne({ _id: runId });
    return document ? runFromDocument(document) : undefined;
  }

  /** An app's runs, newest first, a page at a time. */
  async list(
    appId: string,
    query: ListRunsQuery,
  ): Promise<{ runs: StoredRun[]; nextCursor?: string }> {
    const filter: Record<string, unknown> = { appId };
    if (query.status) filter.status = query.status;
    if (query.slug) filter['workflow.slug'] = query.slug;
    if (query.workflowId) filter['workflow.id'] = query.workflowId;
    if (query.cursor) filter._id = { $lt: query.cursor };
    const documents = await this.runs
      .find(filter, { projection: { outbox: 0 } })
      .sort({ _id: -1 })
      .limit(query.limit + 1)
      .toArray();
    const page = documents.slice(0, query.limit).map(runFromDocument);
    const last = page[page.length - 1];
    return documents.length > query.limit && last
      ? { runs: page, nextCursor: last.id }
      : { runs: page };
  }

  /** Cancels the app's run unless it has ended; undefined when there is no such run. */
  async cancel(appId: string, runId: string): Promise<StoredRun | undefined> {
    return (await this.transition(runId, (run, context) => cancelRun(run, context), appId))?.run;
  }

  /** Resumes the app's run from the nodes that did not complete, if it ended other than completed. */
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

  /** Acts on the run's due timers (retries, step deadlines, the run timeout). */
  async applyTimers(runId: string): Promise<AppliedTransition | undefined> {
    return this.transition(runId, (run, context) => applyTimers(run, context));
  }

  /** Runs with a timer due by `now`, soonest first. */
  async dueTimers(now: number, limit: number): Promise<string[]> {
    const due = await this.runs
      .find({ timerAt: { $lte: now } }, { projection: { _id: 1 } })
      .sort({ timerAt: 1 })
      .limit(limit)
      .toArray();
    return due.map((document) => document._id);
  }

  /** Runs whose outbox has held messages since before `before`: their publisher likely died. */
  async staleOutboxes(before: number, limit: number): Promise<StoredRun[]> {
    const stale = await this.runs
      .find({ outboxAt: { $lte: before } }, { projection: { _id: 1, outbox: 1, outboxAt: 1 } })
      .sort({ outboxAt: 1 })
      .limit(limit)
      .toArray();
    return stale.map(
      (document) =>
        ({ id: document._id, outbox: document.outbox, outboxAt: document.outboxAt }) as StoredRun,
    );
  }

  /**
   * Publishes a run's outbox (for the sweeper); failures surface to the caller. Entries this store
   * published itself and has yet to clear are cleared, not published again.
   */
  async publishOutbox(run: Pick<StoredRun, 'id' | 'outbox' | 'outboxAt'>): Promise<void> {
    const known = this.uncleared.get(run.id)?.ids;
    const entries = Object.entries(run.outbox ?? {});
    const published = entries.filter(([id]) => known?.has(id)).map(([id]) => id);
    if (published.length > 0) {
      const rest = entries.filter(([id]) => !known?.has(id));
      await this.publisher.clear(run, published);
      this.forgetCleared(run.id, published);
      this.recent.delete(run.id);
      if (rest.length === 0) return;
      run = { ...run, outbox: Object.fromEntries(rest) };
    }
    await this.publisher.publish(run);
  }

  /**
   * Reads the run, computes `change` on it, and writes the result only if nobody wrote the run in
   * between (its version is unchanged); on a conflict it reads again and recomputes.
   */
  async transition(
    runId: string,
    change: (run: StoredRun, context: TransitionContext) => Transition,
    appId?: string,
  ): Promise<AppliedTransition | undefined> {
    let cached = this.recent.get(runId);
    if (cached && appId !== undefined && cached.appId !== appId) cached = undefined;
    for (let conflicts = 0; conflicts < MAX_CONFLICTS; conflicts++) {
      let run = cached;
      cached = undefined;
      if (!run) {
        const document = await this.runs.findOne(appId ? { _id: runId, appId } : { _id: runId });
        if (!document) return undefined;
        run = runFromDocument(document);
      }
      const definition = await this.definitions.get(run.definitionId);
      if (!definition)
        throw new Error(`run ${runId} refers to a missing definition ${run.definitionId}`);
      const now = this.clock();
      const transition = change(run, this.context(definition, now, run.traceparent));
      if (!transition.changed) {
        // A no-op on a cached copy proves nothing: the stored run may have moved on. Read it.
        if (run === this.recent.get(runId)) {
          this.recent.delete(runId);
          continue;
        }
        return { run, changed: false };
      }

      const clearing = [...(this.uncleared.get(runId)?.ids ?? [])];
      const written = await this.runs.findOneAndUpdate(
        { _id: runId, v: run.v },
        updateFor(run, transition, now, clearing),
        { returnDocument: 'after' },
      );
      if (written) {
        this.forgetCleared(runId, clearing);
        const stored = runFromDocument(written);
        this.remember(stored);
        if (isTerminalRunStatus(stored.status) && !isTerminalRunStatus(run.status)) {
          for (const observer of this.observers) observer.finished?.(stored);
        }
        await this.publishQuietly(stored, new Set(transition.messages.map((m) => m.envelope.id)));
        return { run: stored, changed: true };
      }
      this.recent.delete(runId);
      // Another writer got there first: back off a little so contenders spread out.
      await new Promise((resolve) => setTimeout(resolve, randomInt(1, 5 + conflicts * 2)));
    }
    throw new Error(`run ${runId}: gave up after ${MAX_CONFLICTS} conflicting writes`);
  }

  private forgetCleared(runId: string, ids: readonly string[]): void {
    const pending = this.uncleared.get(runId);
    if (!pending) return;
    for (const id of ids) pending.ids.delete(id);
    if (pending.ids.size === 0) this.uncleared.delete(runId);
  }

  private remember(run: StoredRun): void {
    this.recent.delete(run.id);
    if (isTerminalRunStatus(run.status)) return;
    if (this.recent.size >= RECENT_RUNS) {
      const oldest = this.recent.keys().next().value;
      if (oldest !== undefined) this.recent.delete(oldest);
    }
    this.recent.set(run.id, run);
  }

  private context(
    definition: WorkflowDefinition,
    now: number,
    traceparent?: string,
  ): TransitionContext {
    return {
      definition,
      now,
      random: Math.random,
      newId: () => newId('msg'),
      ...(traceparent !== undefined ? { traceparent } : {}),
    };
  }

  /**
   * Publishing right after the write is the fast path; if it fails the messages stay in the
   * outbox and the orchestrator's sweeper publishes them, so the caller's request still succeeds.
   */
  private async publishQuietly(run: StoredRun, only?: ReadonlySet<string>): Promise<void> {
    if (only?.size === 0) return;
    try {
      if (!this.deferClears) {
        await this.publisher.publish(run, only);
        // Cleared outside a version change: the cached copy's outbox is stale now.
        this.recent.delete(run.id);
        return;
      }
      const sent = await this.publisher.send(run, only);
      if (sent.length === 0) return;
      const pending = this.uncleared.get(run.id) ?? { ids: new Set<string>() };
      for (const id of sent) pending.ids.add(id);
      // Entries of an earlier version still waiting: that version's outbox is not this one.
      if (pending.ids.size === sent.length) {
        pending.written = { v: run.v, outbox: Object.keys(run.outbox ?? {}) };
      } else {
        delete pending.written;
      }
      this.uncleared.set(run.id, pending);
    } catch {
      // Left for the sweeper: the change itself is durable.
    }
  }
}

/**
 * Published outbox entries of one run, not yet removed from its document; with the version this
 * store wrote them at and the whole outbox it held then, when the entries are all of that
 * version's.
 */
interface Uncleared {
  ids: Set<string>;
  written?: { v: number; outbox: readonly string[] };
}

/** The `$unset` that removes published entries, and the age mark when they were all the outbox. */
function clearingUpdate(ids: ReadonlySet<string>, outbox: readonly string[]): Record<string, ''> {
  const unset: Record<string, ''> = {};
  for (const id of ids) unset[`outbox.${id}`] = '';
  if (outbox.every((id) => ids.has(id))) unset.outboxAt = '';
  return unset;
}

function outboxOf(transition: Transition, now: number): Record<string, OutboxEntry> {
  return Object.fromEntries(
    transition.messages.map((message) => [
      message.envelope.id,
      {
        topic: message.topic,
        key: message.key,
        value: JSON.stringify(message.envelope),
        at: now,
        ...(message.envelope.traceparent ? { traceparent: message.envelope.traceparent } : {}),
      },
    ]),
  );
}

function timerField(transition: Transition): { timerAt?: number } {
  const at = nextTimerAt(transition.run);
  return at === undefined ? {} : { timerAt: at };
}

/** The single-document update for a transition: changed fields only, the outbox, the version. */
function updateFor(
  before: StoredRun,
  transition: Transition,
  now: number,
  published: readonly string[],
): UpdateFilter<RunDocument> {
  const after = transition.run;
  const set: Record<string, unknown> = { status: after.status, updatedAt: now };
  const unset: Record<string, ''> = {};
  for (const field of ['startedAt', 'finishedAt', 'deadlineAt', 'error'] as const) {
    if (after[field] !== undefined) set[field] = after[field];
    else if (before[field] !== undefined) unset[field] = '';
  }
  for (const [id, node] of Object.entries(after.nodes)) {
    if (node !== before.nodes[id]) set[`nodes.${id}`] = nodeToDocument(node);
  }
  const timerAt = nextTimerAt(after);
  if (timerAt !== undefined) set.timerAt = timerAt;
  else if (before.timerAt !== undefined) unset.timerAt = '';
  for (const [id, entry] of Object.entries(outboxOf(transition, now))) set[`outbox.${id}`] = entry;
  for (const id of published) unset[`outbox.${id}`] = '';

  // outboxAt is the age of the oldest unpublished message, which the sweeper goes by. The write is
  // a compare-and-set on the version, so the outbox read before it is exactly the one it updates.
  const unpublished = Object.keys(before.outbox ?? {}).some((id) => !published.includes(id));
  if (transition.messages.length > 0 && !unpublished) set.outboxAt = now;
  else if (!unpublished && before.outboxAt !== undefined) unset.outboxAt = '';

  const update: Record<string, unknown> = { $set: set, $inc: { v: 1 } };
  if (Object.keys(unset).length > 0) update.$unset = unset;
  return update;
}
