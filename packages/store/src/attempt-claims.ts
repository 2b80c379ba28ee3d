import { isTerminalRunStatus } from '@weft/core';
import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';
import { isDuplicateKey } from './duplicate-key';
import { GroupCommit, insertEach } from './group-commit';
import type { RunDocument } from './run-document';

interface ClaimDocument {
  /** The attempt's idempotency key: `runId:nodeId:attempt`. */
  _id: string;
  /** The worker process running it (a worker id plus a per-process suffix). */
  holder: string;
  claimedAt: Date;
  /** When a sweep may delete it: long after any redelivery of the attempt could arrive. */
  expiresAt: Date;
}

interface HeartbeatDocument {
  _id: string;
  seenAt: Date;
}

export type ClaimAnswer = { claimed: true } | { claimed: false; holder: string };

/** How long a claim is kept: a redelivery comes within minutes; a day is far beyond that. */
const CLAIM_RETENTION_MS = 24 * 60 * 60_000;

/**
 * Which worker process runs which step attempt. Kafka hands a partition's unfinished messages to
 * another worker when its group rebalances, while the first may still be running them; claiming
 * the attempt first makes the second worker wait for the first (or take over once the first
 * stopped beating) instead of repeating the attempt's side effect. One insert per attempt; the
 * attempts claimed while an insert is in flight (a fetched batch) go together in the next.
 */
export class AttemptClaims {
  private readonly claims: Collection<ClaimDocument>;
  private readonly heartbeats: Collection<HeartbeatDocument>;
  private readonly runs: Collection<RunDocument>;
  private readonly inserts: GroupCommit<ClaimDocument, void>;

  constructor(connection: Connection) {
    this.claims = connection.collection<ClaimDocument>('attempt_claims');
    this.inserts = new GroupCommit((documents) =>
      insertEach((many) => this.claims.insertMany(many, { ordered: false }), documents),
    );
    this.heartbeats = connection.collection<HeartbeatDocument>('worker_heartbeats');
    this.runs = connection.collection<RunDocument>('runs');
  }

  async ensureIndexes(): Promise<void> {
    await Promise.all([
      this.claims.createIndex({ expiresAt: 1 }),
      this.heartbeats.createIndex({ seenAt: 1 }),
    ]);
  }

  /** Claims `key` for `holder`, unless another process claimed it first. */
  async claim(key: string, holder: string, now = Date.now()): Promise<ClaimAnswer> {
    try {
      await this.inserts.add({
        _id: key,
        holder,
        claimedAt: new Date(now),
        expiresAt: new Date(now + CLAIM_RETENTION_MS),
      });
      return { claimed: true };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const existing = await this.claims.findOne({ _id: key }, { projection: { holder: 1 } });
      // Swept in between (a claim a day old): nobody holds it any more.
      if (!existing) return this.claim(key, holder, now);
      return existing.holder === holder
        ? { claimed: true }
        : { claimed: false, holder: existing.holder };
    }
  }

  /** Moves the claim from a holder that stopped beating to `holder`; false if another won. */
  async takeOver(key: string, from: string, holder: string, now = Date.now()): Promise<boolean> {
    const moved = await this.claims.updateOne(
      { _id: key, holder: from },
      { $set: { holder, claimedAt: new Date(now) } },
    );
    return moved.modifiedCount === 1;
  }

  /** Gives up `holder`'s claim on `key` (an attempt it handed back unfinished). */
  async release(key: string, holder: string): Promise<void> {
    await this.claims.deleteOne({ _id: key, holder });
  }

  /** Says `holder` is alive. */
  async beat(holder: string, now = Date.now()): Promise<void> {
    await this.heartbeats.updateOne(
      { _id: holder },
      { $set: { seenAt: new Date(now) } },
      { upsert: true },
    );
  }

  /** When `holder` last beat, ms since the epoch; undefined if it never did (or was swept). */
  async lastSeen(holder: string): Promise<number | undefined> {
    const found = await this.heartbeats.findOne({ _id: holder });
    return found?.seenAt.getTime();
  }

  /**
   * Whether the run still waits for this attempt: the run goes on, and the node is queued or
   * running on this very attempt. Once not, its outcome was reported, or the orchestrator gave up
   * on it (a deadline, a cancel), and nobody needs to run it again.
   */
  async attemptIsOpen(runId: string, nodeId: string, attempt: number): Promise<boolean> {
    const run = await this.runs.findOne(
      { _id: runId },
      { projection: { status: 1, [`nodes.${nodeId}`]: 1 } },
    );
    const node = run?.nodes[nodeId];
    if (!run || !node || isTerminalRunStatus(run.status)) return false;
    return node.attempt === attempt && (node.status === 'queued' || node.status === 'running');
  }

  /** Deletes expired claims and heartbeats older than a day. */
  async sweep(now = Date.now()): Promise<void> {
    await Promise.all([
      this.claims.deleteMany({ expiresAt: { $lt: new Date(now) } }),
      this.heartbeats.deleteMany({ seenAt: { $lt: new Date(now - CLAIM_RETENTION_MS) } }),
    ]);
  }
}
