import { createHash, randomInt } from 'node:crypto';
import type { Collection } from 'mongodb';
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
import {
  runFromDocument,
  runToDocument,
  runUpdateFromDocument,
  type RunDocument,
  type RunUpdate,
} from './run-document';
import {
  clearingUpdate,
  composed,
  outboxOf,
  withRecord,
  writeFor,
  type RunWrite,
} from './run-write';
import type { CreateRunInput, ListRunsQuery, StoredRun } from './stored-run';
import { isDuplicateKey } from './duplicate-key';
import { GroupCommit, insertEach, type ItemOutcome } from './group-commit';

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
  /** Transitions, written many runs at a time under load (group commit). */
  private readonly transitions: GroupCommit<AskedTransition, Written>;
  /** New runs and idempotency keys, inserted many at a time under load (group commit). */
  private readonly runInserts: GroupCommit<RunDocument, void>;
  private readonly keyInserts: GroupCommit<IdempotencyDocument, void>;

  constructor(
    private readonly connection: Connection,
    private readonly definitions: DefinitionStore,
    private readonly publisher: OutboxPublisher,
    private readonly clock: () => number = Date.now,
  ) {
    this.runs = connection.collection<RunDocument>('runs');
    this.idempotency = connection.collection<IdempotencyDocument>('run_idempotency_keys');
    this.transitions = new GroupCommit((asked) => this.writeTransitions(asked));
    this.runInserts = new GroupCommit((documents) =>
      insertEach((many) => this.runs.insertMany(many, { ordered: false }), documents),
    );
    this.keyInserts = new GroupCommit((documents) =>
      insertEach((many) => this.idempotency.insertMany(many, { ordered: false }), documents),
    );
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
        await this.keyInserts.add({
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
      await this.runInserts.add(runToDocument(run));
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

  /**
   * The run's version (`v`), or undefined when the app has no such run: a watcher asks this
   * often and reads the whole run only when it changed.
   */
  async versionOf(appId: string, runId: string): Promise<number | undefined> {
    const found = await this.runs.findOne({ _id: runId, appId }, { projection: { v: 1 } });
    return found?.v;
  }

  /**
   * The run again, for a watcher that has read it before and holds what cannot have changed: read
   * without its input (fixed at the start), its outbox, and the nodes in `settled`, whose records
   * never change again (see isSettledNode). Undefined when the app has no such run.
   */
  async reread(
    appId: string,
    runId: string,
    settled: Iterable<string>,
  ): Promise<RunUpdate | undefined> {
    const projection: Record<string, 0> = { input: 0, outbox: 0 };
    for (const nodeId of settled) projection[`nodes.${nodeId}`] = 0;
    const document = await this.runs.findOne({ _id: runId, appId }, { projection });
    return document ? runUpdateFromDocument(document) : undefined;
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
   * between (its version is unchanged); on a conflict it reads again and recomputes. Transitions
   * asked for while a write is in flight are written together (see writeBatch).
   */
  async transition(
    runId: string,
    change: Change,
    appId?: string,
  ): Promise<AppliedTransition | undefined> {
    const { applied, published } = await this.transitions.add({ runId, change, appId });
    await published;
    return applied;
  }

  /** The transitions of one group commit: per run, composed in one write, or alone. */
  private async writeTransitions(asked: AskedTransition[]): Promise<ItemOutcome<Written>[]> {
    const outcomes: ItemOutcome<Written>[] = [];
    const byRun = new Map<string, PendingTransition[]>();
    for (const [index, item] of asked.entries()) {
      const list = byRun.get(item.runId) ?? [];
      list.push({
        ...item,
        resolve: (applied, published) =>
          (outcomes[index] ??= { ok: true, value: { applied, published } }),
        reject: (error) => (outcomes[index] ??= { ok: false, error }),
      });
      byRun.set(item.runId, list);
    }
    const groups = [...byRun.values()];
    if (groups.length === 1) {
      await this.transitionEachAlone(groups[0] ?? []);
      return outcomes;
    }
    let conflicted: PendingTransition[][];
    try {
      conflicted = await this.writeBatch(groups);
    } catch (error) {
      // The write failed as a whole (the database away): each caller asks again on its own.
      for (const runId of byRun.keys()) this.recent.delete(runId);
      throw error;
    }
    await Promise.all(conflicted.map((group) => this.transitionEachAlone(group)));
    return outcomes;
  }

  /**
   * Group commit: one transition per run, composed of all asked for it, and one bulk write of
   * compare-and-sets for all runs (with one read of those not cached). Returns the groups whose
   * run another writer changed first, or that need a fresh read, for the one-by-one path.
   */
  private async writeBatch(groups: PendingTransition[][]): Promise<PendingTransition[][]> {
    const bases = new Map<string, { run: StoredRun; cached: boolean }>();
    const unread: string[] = [];
    for (const group of groups) {
      const runId = group[0]?.runId ?? '';
      const cached = this.recent.get(runId);
      if (cached) bases.set(runId, { run: cached, cached: true });
      else unread.push(runId);
    }
    if (unread.length > 0) {
      for (const document of await this.runs.find({ _id: { $in: unread } }).toArray()) {
        bases.set(document._id, { run: runFromDocument(document), cached: false });
      }
    }

    const token = newId('bat');
    const now = this.clock();
    const retry: PendingTransition[][] = [];
    const writes: {
      group: Settled[];
      before: StoredRun;
      write: RunWrite;
      clearing: string[];
      messages: Set<string>;
    }[] = [];
    for (const group of groups) {
      const runId = group[0]?.runId ?? '';
      const base = bases.get(runId);
      if (!base) {
        for (const asked of group) asked.resolve(undefined);
        continue;
      }
      const definition = await this.definitions.get(base.run.definitionId);
      if (!definition) {
        const error = new Error(
          `run ${runId} refers to a missing definition ${base.run.definitionId}`,
        );
        for (const asked of group) asked.reject(error);
        continue;
      }
      const context = this.context(definition, now, base.run.traceparent);
      const settled: Settled[] = [];
      const transitions: Transition[] = [];
      let run = base.run;
      for (const asked of group) {
        if (asked.appId !== undefined && asked.appId !== run.appId) {
          asked.resolve(undefined);
          continue;
        }
        try {
          const transition = asked.change(run, context);
          transitions.push(transition);
          if (transition.changed) run = withRecord(run, transition.run);
          settled.push({ asked, changed: transition.changed });
        } catch (error) {
          // One bad change fails alone; the others of its run still apply.
          asked.reject(error);
        }
      }
      const transition = composed(transitions, base.run);
      if (!transition.changed) {
        // A no-op on a cached copy proves nothing: the stored run may have moved on. Read it.
        if (base.cached) retry.push(settled.map(({ asked }) => asked));
        else for (const { asked } of settled) asked.resolve({ run: base.run, changed: false });
        continue;
      }
      const clearing = [...(this.uncleared.get(runId)?.ids ?? [])];
      const write = writeFor(base.run, transition, now, clearing, token);
      const messages = new Set(transition.messages.map((message) => message.envelope.id));
      writes.push({ group: settled, before: base.run, write, clearing, messages });
    }
    if (writes.length === 0) return retry;

    const result = await this.runs.bulkWrite(
      writes.map(({ before, write }) => ({
        updateOne: { filter: { _id: before.id, v: before.v }, update: write.update },
      })),
      { ordered: false },
    );
    let won = (_runId: string) => true;
    if (result.matchedCount !== writes.length) {
      // The answer only counts the writes that matched: which ones carries our token. Found by
      // `_id` alone, the one shape every MongoDB-compatible store answers by index.
      const stamped = await this.runs
        .find({ _id: { $in: writes.map(({ before }) => before.id) } })
        .project<{ _id: string; batch?: string }>({ batch: 1 })
        .toArray();
      const ours = new Set(
        stamped.filter((document) => document.batch === token).map((document) => document._id),
      );
      won = (runId) => ours.has(runId);
    }
    await Promise.all(
      writes.map(async ({ group, before, write, clearing, messages }) => {
        if (!won(before.id)) {
          this.recent.delete(before.id);
          retry.push(group.map(({ asked }) => asked));
          return;
        }
        const published = this.written(before, write.after, clearing, messages);
        for (const { asked, changed } of group) {
          asked.resolve({ run: write.after, changed }, published);
        }
      }),
    );
    return retry;
  }

  /** The transitions asked for one run, one after another, each read-compute-write on its own. */
  private async transitionEachAlone(group: PendingTransition[]): Promise<void> {
    for (const asked of group) {
      try {
        const { applied, published } = await this.transitionAlone(
          asked.runId,
          asked.change,
          asked.appId,
        );
        asked.resolve(applied, published);
      } catch (error) {
        asked.reject(error);
      }
    }
  }

  private async transitionAlone(runId: string, change: Change, appId?: string): Promise<Written> {
    let cached = this.recent.get(runId);
    if (cached && appId !== undefined && cached.appId !== appId) cached = undefined;
    for (let conflicts = 0; conflicts < MAX_CONFLICTS; conflicts++) {
      let run = cached;
      cached = undefined;
      if (!run) {
        const document = await this.runs.findOne(appId ? { _id: runId, appId } : { _id: runId });
        if (!document) return { applied: undefined };
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
        return { applied: { run, changed: false } };
      }

      const clearing = [...(this.uncleared.get(runId)?.ids ?? [])];
      const { after, update } = writeFor(run, transition, now, clearing);
      const written = await this.runs.updateOne({ _id: runId, v: run.v }, update);
      if (written.matchedCount === 1) {
        const messages = new Set(transition.messages.map((message) => message.envelope.id));
        return {
          applied: { run: after, changed: true },
          published: this.written(run, after, clearing, messages),
        };
      }
      this.recent.delete(runId);
      // Another writer got there first: back off a little so contenders spread out.
      await new Promise((resolve) => setTimeout(resolve, randomInt(1, 5 + conflicts * 2)));
    }
    throw new Error(`run ${runId}: gave up after ${MAX_CONFLICTS} conflicting writes`);
  }

  /**
   * After a compare-and-set won: remember the run, tell observers of its end, and publish (the
   * promise returned, which never rejects; the next group commit need not wait for it).
   */
  private written(
    before: StoredRun,
    after: StoredRun,
    cleared: readonly string[],
    messages: ReadonlySet<string>,
  ): Promise<void> {
    this.forgetCleared(after.id, cleared);
    // Kept only where publishing leaves the outbox as written: a clear right after publishing
    // changes the document without a new version, so a copy kept would be stale at once.
    if (this.deferClears) this.remember(after);
    else this.recent.delete(after.id);
    if (isTerminalRunStatus(after.status) && !isTerminalRunStatus(before.status)) {
      for (const observer of this.observers) observer.finished?.(after);
    }
    return this.publishQuietly(after, messages);
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

type Change = (run: StoredRun, context: TransitionContext) => Transition;

interface AskedTransition {
  runId: string;
  change: Change;
  appId: string | undefined;
}

/** A transition as written, and its messages' publishing, which its caller waits for too. */
interface Written {
  applied: AppliedTransition | undefined;
  published?: Promise<void>;
}

/** A transition of a group commit, with how to answer its caller. */
interface PendingTransition extends AskedTransition {
  resolve: (applied: AppliedTransition | undefined, published?: Promise<void>) => void;
  reject: (error: unknown) => void;
}

/** A transition of a batch that was computed, and whether it changed the run. */
interface Settled {
  asked: PendingTransition;
  changed: boolean;
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

function timerField(transition: Transition): { timerAt?: number } {
  const at = nextTimerAt(transition.run);
  return at === undefined ? {} : { timerAt: at };
}
