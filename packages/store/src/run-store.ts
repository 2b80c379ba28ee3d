import { createHash } from 'node:crypto';
import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';
import type { Transition } from '@weft/core';
import { isDuplicateKey } from './duplicate-key';
import { GroupCommit, insertEach } from './group-commit';
import { newId } from './ids';
import {
  runFromDocument,
  runToDocument,
  runUpdateFromDocument,
  type RunDocument,
  type RunUpdate,
} from './run-document';
import { clearingUpdate, writeFor } from './run-write';
import type { ListRunsQuery, StoredRun } from './stored-run';

interface IdempotencyDocument {
  _id: string;
  appId: string;
  runId: string;
  createdAt: number;
}

/** A transition to write over the run as read (`before`), removing the outbox entries `cleared`. */
export interface TransitionWrite {
  before: StoredRun;
  transition: Transition;
  /** Entries published since `before` was written, removed in the same update. */
  cleared: readonly string[];
}

/** Published entries to remove from a run still at version `v`, whose outbox then held `outbox`. */
export interface VersionedClear {
  runId: string;
  v: number;
  ids: ReadonlySet<string>;
  outbox: readonly string[];
}

/**
 * Runs in MongoDB (`runs`, `run_idempotency_keys`): the reads, and the writes as compare-and-sets
 * on a run's version, each the single-document update that also writes the run's outbox. It
 * computes no transition and publishes nothing; RunEngine does. No multi-document transactions,
 * so any MongoDB-compatible store works.
 */
export class RunStore {
  private readonly runs: Collection<RunDocument>;
  private readonly idempotency: Collection<IdempotencyDocument>;
  /** New runs and idempotency keys, inserted many at a time under load (group commit). */
  private readonly runInserts: GroupCommit<RunDocument, void>;
  private readonly keyInserts: GroupCommit<IdempotencyDocument, void>;

  constructor(private readonly connection: Connection) {
    this.runs = connection.collection<RunDocument>('runs');
    this.idempotency = connection.collection<IdempotencyDocument>('run_idempotency_keys');
    this.runInserts = new GroupCommit((documents) =>
      insertEach((many) => this.runs.insertMany(many, { ordered: false }), documents),
    );
    this.keyInserts = new GroupCommit((documents) =>
      insertEach((many) => this.idempotency.insertMany(many, { ordered: false }), documents),
    );
  }

  async ensureIndexes(): Promise<void> {
    await Promise.all([
      this.runs.createIndex({ appId: 1, _id: -1 }),
      this.runs.createIndex({ appId: 1, status: 1, _id: -1 }),
      this.runs.createIndex({ timerAt: 1 }, { sparse: true }),
      this.runs.createIndex({ outboxAt: 1 }, { sparse: true }),
    ]);
  }

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
   * Records that the app's idempotency `key` names run `runId`. If an earlier call recorded it
   * first, answers that call's run id instead, with its run once that was written.
   */
  async claimIdempotencyKey(
    appId: string,
    key: string,
    runId: string,
    now: number,
  ): Promise<{ runId: string; run?: StoredRun }> {
    const keyId = createHash('sha256').update(`${appId}\0${key}`).digest('hex');
    try {
      await this.keyInserts.add({ _id: keyId, appId, runId, createdAt: now });
      return { runId };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const existing = await this.idempotency.findOne({ _id: keyId });
      if (!existing) throw error;
      const run = await this.get(appId, existing.runId);
      return run ? { runId: existing.runId, run } : { runId: existing.runId };
    }
  }

  /**
   * Inserts a new run. Should a run with its id exist and it has an idempotency key (a concurrent
   * call with the same key inserted it first), answers that run, not created.
   */
  async insert(run: StoredRun): Promise<{ run: StoredRun; created: boolean }> {
    try {
      await this.runInserts.add(runToDocument(run));
      return { run, created: true };
    } catch (error) {
      if (isDuplicateKey(error) && run.idempotencyKey !== undefined) {
        const raced = await this.get(run.appId, run.id);
        if (raced) return { run: raced, created: false };
      }
      throw error;
    }
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

  /** Any app's runs of `runIds` that exist, in one read. */
  async getManyById(runIds: readonly string[]): Promise<StoredRun[]> {
    const documents = await this.runs.find({ _id: { $in: [...runIds] } }).toArray();
    return documents.map(runFromDocument);
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
  async staleOutboxes(
    before: number,
    limit: number,
  ): Promise<Pick<StoredRun, 'id' | 'outbox' | 'outboxAt'>[]> {
    const stale = await this.runs
      .find({ outboxAt: { $lte: before } }, { projection: { _id: 1, outbox: 1, outboxAt: 1 } })
      .sort({ outboxAt: 1 })
      .limit(limit)
      .toArray();
    return stale.map((document) => ({
      id: document._id,
      outbox: document.outbox,
      outboxAt: document.outboxAt,
    }));
  }

  /**
   * Writes one transition if the run is still at `before.v`: the run as stored after it, or
   * undefined when another writer changed the run first.
   */
  async writeTransition(write: TransitionWrite, now: number): Promise<StoredRun | undefined> {
    const { before, transition, cleared } = write;
    const { after, update } = writeFor(before, transition, now, cleared);
    const written = await this.runs.updateOne({ _id: before.id, v: before.v }, update);
    return written.matchedCount === 1 ? after : undefined;
  }

  /**
   * Writes the transitions of many runs in one bulk write of compare-and-sets: for each, the run
   * as stored after it, or undefined when another writer changed that run first. Throws when the
   * write failed as a whole.
   */
  async writeTransitions(
    writes: readonly TransitionWrite[],
    now: number,
  ): Promise<(StoredRun | undefined)[]> {
    const token = newId('bat');
    const written = writes.map(({ before, transition, cleared }) => ({
      before,
      ...writeFor(before, transition, now, cleared, token),
    }));
    const result = await this.runs.bulkWrite(
      written.map(({ before, update }) => ({
        updateOne: { filter: { _id: before.id, v: before.v }, update },
      })),
      { ordered: false },
    );
    if (result.matchedCount === written.length) return written.map(({ after }) => after);
    // The answer only counts the writes that matched: which ones carries our token. Found by
    // `_id` alone, the one shape every MongoDB-compatible store answers by index.
    const stamped = await this.runs
      .find({ _id: { $in: written.map(({ before }) => before.id) } })
      .project<{ _id: string; batch?: string }>({ batch: 1 })
      .toArray();
    const ours = new Set(
      stamped.filter((document) => document.batch === token).map((document) => document._id),
    );
    return written.map(({ before, after }) => (ours.has(before.id) ? after : undefined));
  }

  /**
   * Removes published outbox entries from many runs in one bulk write of compare-and-sets, and
   * each outbox's age mark when they were all it held. True when every run was still at its
   * version; otherwise some were not cleared (the answer does not say which).
   */
  async clearAtVersions(clears: readonly VersionedClear[]): Promise<boolean> {
    const result = await this.runs.bulkWrite(
      clears.map(({ runId, v, ids, outbox }) => ({
        updateOne: { filter: { _id: runId, v }, update: { $unset: clearingUpdate(ids, outbox) } },
      })),
      { ordered: false },
    );
    return result.matchedCount === clears.length;
  }
}
