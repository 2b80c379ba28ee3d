import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';
import { MAX_MESSAGE_BYTES } from '@weft/core';
import type { KafkaProducer } from '@weft/kafka';
import { GroupCommit, type ItemOutcome } from './group-commit';
import type { RunDocument } from './run-document';
import type { OutboxEntry, StoredRun } from './stored-run';

/**
 * Publishes the messages in a run's outbox, then removes them from it. A crash between the two
 * leaves them there, and the sweeper publishes them again: delivery is at least once, and every
 * consumer applies a message at most once in effect.
 */
export class OutboxPublisher {
  private readonly runs: Collection<RunDocument>;
  private readonly clears: GroupCommit<VersionedClear, boolean>;

  constructor(
    connection: Connection,
    private readonly producer: KafkaProducer,
  ) {
    this.runs = connection.collection<RunDocument>('runs');
    this.clears = new GroupCommit((clears) => this.clearAtVersions(clears));
  }

  /**
   * Publishes entries of `run.outbox`, oldest first (only those in `only`, when given: a
   * transition publishes its own messages, never another's still in flight), then clears them.
   * `run.v`, when given, is the version just written: if nothing wrote since and these were all
   * the outbox held, one update clears them and the outbox's age mark together.
   */
  async publish(
    run: Pick<StoredRun, 'id' | 'outbox' | 'outboxAt'> & { v?: number },
    only?: ReadonlySet<string>,
  ): Promise<void> {
    const sent = await this.send(run, only);
    if (sent.length === 0) {
      if (!only && run.outboxAt !== undefined) {
        // Nothing to send, yet marked as waiting (a clear raced with a transition): clear the mark.
        await this.runs.updateOne({ _id: run.id, outbox: {} }, { $unset: { outboxAt: '' } });
      }
      return;
    }
    await this.clear(run, sent);
  }

  /** Publishes entries of `run.outbox` (those in `only`, when given), oldest first; their ids. */
  async send(run: Pick<StoredRun, 'outbox'>, only?: ReadonlySet<string>): Promise<string[]> {
    const entries = Object.entries(run.outbox ?? {})
      .filter(([id]) => !only || only.has(id))
      .sort(([, a], [, b]) => a.at - b.at);
    const byTopic = new Map<string, OutboxEntry[]>();
    for (const [, entry] of entries) {
      const list = byTopic.get(entry.topic) ?? [];
      list.push(entry);
      byTopic.set(entry.topic, list);
    }
    await Promise.all(
      [...byTopic].flatMap(([topic, list]) =>
        inBatchesUnder(MAX_MESSAGE_BYTES, list).map((batch) =>
          this.producer.send(
            topic,
            batch.map((entry) => ({
              key: entry.key,
              value: entry.value,
              ...(entry.traceparent ? { headers: { traceparent: entry.traceparent } } : {}),
            })),
          ),
        ),
      ),
    );
    return entries.map(([id]) => id);
  }

  /**
   * Removes published entries from a run's outbox, and its age mark once none is left. With
   * `run.v` (the version the entries were read at) and nothing else waiting, one update does both.
   */
  async clear(
    run: Pick<StoredRun, 'id' | 'outbox'> & { v?: number },
    ids: readonly string[],
  ): Promise<void> {
    const unset: Record<string, ''> = Object.fromEntries(
      ids.map((id) => [`outbox.${id}`, '' as const]),
    );
    const all = Object.keys(run.outbox ?? {});
    if (run.v !== undefined && all.every((id) => ids.includes(id))) {
      if (await this.clears.add({ id: run.id, v: run.v, unset })) return;
    }
    // The run changed since: its newer messages may still wait, so keep the mark unless none do.
    const after = await this.runs.findOneAndUpdate(
      { _id: run.id },
      { $unset: unset },
      { returnDocument: 'after' },
    );
    if (after && Object.keys(after.outbox ?? {}).length === 0) {
      await this.runs.updateOne({ _id: run.id, v: after.v }, { $unset: { outboxAt: '' } });
    }
  }

  /**
   * The compare-and-set clears of many runs in one bulk write. Its answer counts the clears that
   * matched without naming them: unless all did, each is taken as failed and cleared again the
   * careful way, which is harmless for one that did.
   */
  private async clearAtVersions(clears: VersionedClear[]): Promise<ItemOutcome<boolean>[]> {
    const result = await this.runs.bulkWrite(
      clears.map(({ id, v, unset }) => ({
        updateOne: { filter: { _id: id, v }, update: { $unset: { ...unset, outboxAt: '' } } },
      })),
      { ordered: false },
    );
    const all = result.matchedCount === clears.length;
    return clears.map(() => ({ ok: true, value: all }));
  }
}

/** Outbox entries to remove with the age mark, if the run is still at version `v`. */
interface VersionedClear {
  id: string;
  v: number;
  unset: Record<string, ''>;
}

/**
 * Splits entries, in order, into sends of at most `limit` bytes of values: the broker refuses a
 * record batch over its message size limit, and a fan-out's step messages can add up past it.
 */
export function inBatchesUnder(limit: number, entries: OutboxEntry[]): OutboxEntry[][] {
  const batches: OutboxEntry[][] = [];
  let batch: OutboxEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = Buffer.byteLength(entry.value);
    if (batch.length > 0 && bytes + size > limit) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(entry);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}
