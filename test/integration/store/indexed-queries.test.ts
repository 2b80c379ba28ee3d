import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Collection, Document, Filter, Sort } from 'mongodb';
import { MongoClient } from 'mongodb';
import type { Connection } from 'mongoose';
import { freePort, startDatabase, stopProcess, waitForDatabase } from '@weft/infra';
import { connectDatabase, dropDatabase } from '../../support/test-infrastructure';

/**
 * The embedded database's own query planning (deploy/local/mongo-java-server: unique indexes used
 * for the equalities they cover, single-field secondary indexes) must answer exactly as a scan
 * does. Each filter runs on an indexed collection and on an unindexed twin holding the same
 * documents, through the same changes; on MongoDB the test holds too, as it must.
 */

/** A deterministic generator, so a failure names a seed that reproduces it. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function pick<T>(random: () => number, values: readonly T[]): T {
  return values[Math.floor(random() * values.length)] as T;
}

/** A value for the indexed field: mostly numbers, with every kind the index treats apart. */
function fieldValue(random: () => number): unknown {
  const kind = random();
  if (kind < 0.55) return Math.floor(random() * 100);
  if (kind < 0.65) return `s${Math.floor(random() * 20)}`;
  if (kind < 0.72) return new Date(1_700_000_000_000 + Math.floor(random() * 100) * 1000);
  if (kind < 0.76) return null;
  if (kind < 0.8) return [Math.floor(random() * 100), Math.floor(random() * 100)];
  if (kind < 0.83) return { nested: Math.floor(random() * 10) };
  if (kind < 0.86) return random() < 0.5;
  return undefined; // the field is absent
}

function document(random: () => number, id: number): Document {
  const at = fieldValue(random);
  return {
    _id: `doc_${String(id).padStart(5, '0')}`,
    v: Math.floor(random() * 3),
    group: pick(random, ['a', 'b', 'c']),
    ...(at === undefined ? {} : { at }),
    ...(random() < 0.5 ? { plain: Math.floor(random() * 10) } : {}),
  };
}

function bound(random: () => number): unknown {
  const kind = random();
  if (kind < 0.7) return Math.floor(random() * 100);
  if (kind < 0.85) return `s${Math.floor(random() * 20)}`;
  return new Date(1_700_000_000_000 + Math.floor(random() * 100) * 1000);
}

/** A filter on the indexed field the secondary index may serve, sometimes with other fields. */
function rangeFilter(random: () => number, field: string): Filter<Document> {
  const shapes: (() => unknown)[] = [
    () => bound(random),
    () => ({ $lte: bound(random) }),
    () => ({ $lt: bound(random) }),
    () => ({ $gte: bound(random) }),
    () => ({ $gt: bound(random) }),
    () => ({ $gte: bound(random), $lt: bound(random) }),
    () => ({ $eq: bound(random) }),
    () => ({ $in: [bound(random), bound(random), bound(random)] }),
    () => ({ $exists: true }),
    () => ({ $exists: false }),
    () => null,
    () => ({ $ne: bound(random) }),
  ];
  const filter: Filter<Document> = { [field]: pick(random, shapes)() };
  if (random() < 0.3) filter.group = pick(random, ['a', 'b', 'c']);
  return filter;
}

/** A filter pinning _id, with other conditions beside (the compare-and-set's shape). */
function idFilter(random: () => number, size: number): Filter<Document> {
  const filter: Record<string, unknown> = {
    _id: `doc_${String(Math.floor(random() * size)).padStart(5, '0')}`,
  };
  if (random() < 0.6) filter.v = Math.floor(random() * 3);
  if (random() < 0.4) filter.group = pick(random, ['a', 'b', 'c']);
  if (random() < 0.2) filter.at = { $exists: true };
  return filter;
}

async function findBoth(
  indexed: Collection,
  reference: Collection,
  filter: Filter<Document>,
  sort: Sort = { _id: 1 },
  limit = 0,
): Promise<[Document[], Document[]]> {
  const run = (collection: Collection) => collection.find(filter).sort(sort).limit(limit).toArray();
  return Promise.all([run(indexed), run(reference)]);
}

describe('queries served by indexes answer as a scan does', () => {
  let connection: Connection;
  let indexed: Collection;
  let reference: Collection;
  const SIZE = 400;

  const db = () => {
    if (!connection.db) throw new Error('the database connection is not open');
    return connection.db;
  };

  beforeAll(async () => {
    connection = await connectDatabase();
    indexed = db().collection('indexed');
    reference = db().collection('reference');
    await indexed.createIndex({ at: 1 }, { sparse: true });
    await indexed.createIndex({ plain: 1 });
    const random = generator(7);
    const documents = Array.from({ length: SIZE }, (_, id) => document(random, id));
    await indexed.insertMany(documents.map((d) => ({ ...d })));
    await reference.insertMany(documents.map((d) => ({ ...d })));
  });

  afterAll(async () => {
    await dropDatabase(connection);
  });

  /** Applies one random change to both collections, the same way. */
  async function change(random: () => number): Promise<void> {
    const id = `doc_${String(Math.floor(random() * SIZE)).padStart(5, '0')}`;
    const kind = random();
    const both = (apply: (collection: Collection) => Promise<unknown>) =>
      Promise.all([apply(indexed), apply(reference)]);
    if (kind < 0.4) {
      const at = fieldValue(random);
      const update = at === undefined ? { $unset: { at: '' } } : { $set: { at } };
      await both((c) => c.updateOne({ _id: id as never }, { ...update, $inc: { v: 1 } }));
    } else if (kind < 0.55) {
      await both((c) => c.deleteOne({ _id: id as never }));
    } else if (kind < 0.7) {
      const fresh = document(random, Math.floor(random() * SIZE));
      await both((c) => c.replaceOne({ _id: fresh._id as never }, fresh, { upsert: true }));
    } else if (kind < 0.85) {
      const v = Math.floor(random() * 3);
      const at = Math.floor(random() * 100);
      await both((c) =>
        c.findOneAndUpdate({ _id: id as never, v }, { $set: { at }, $inc: { v: 1 } }),
      );
    } else {
      const limit = Math.floor(random() * 100);
      await both((c) => c.deleteMany({ at: { $lt: limit } }));
    }
  }

  it('for the equalities of a unique index, with other fields beside', async () => {
    const random = generator(11);
    for (let round = 0; round < 150; round++) {
      const filter = idFilter(random, SIZE);
      const [got, expected] = await findBoth(indexed, reference, filter);
      expect({ filter, found: got }).toEqual({ filter, found: expected });
      await change(random);
    }
  });

  it('for ranges, equalities, $in and $exists on a secondary index, sorted and limited', async () => {
    const random = generator(13);
    for (let round = 0; round < 250; round++) {
      const field = random() < 0.8 ? 'at' : 'plain';
      const filter = rangeFilter(random, field);
      const limit = random() < 0.5 ? 0 : 1 + Math.floor(random() * 10);
      const sort: Sort = random() < 0.5 ? { _id: 1 } : { [field]: 1, _id: 1 };
      const [got, expected] = await findBoth(indexed, reference, filter, sort, limit);
      expect({ filter, sort, limit, found: got }).toEqual({
        filter,
        sort,
        limit,
        found: expected,
      });
      // The count command goes through the same planning (countDocuments is an aggregation).
      const count = async (collection: Collection) =>
        Number((await db().command({ count: collection.collectionName, query: filter })).n);
      expect({ filter, n: await count(indexed) }).toEqual({ filter, n: await count(reference) });
      await change(random);
    }
  });

  it('in updates and deletes that select by the index', async () => {
    const random = generator(17);
    for (let round = 0; round < 60; round++) {
      const filter = rangeFilter(random, 'at');
      const stamp = round + 1000;
      const [updated, updatedReference] = await Promise.all(
        [indexed, reference].map((c) => c.updateMany(filter, { $set: { stamp } })),
      );
      expect(updated?.modifiedCount).toBe(updatedReference?.modifiedCount);
      const [got, expected] = await findBoth(indexed, reference, {});
      expect(got).toEqual(expected);
      await change(random);
    }
  });
});

describe("the embedded database's secondary indexes", () => {
  const kind = 'mongo-java-server';

  it('are listed, and rebuilt from the data when the server starts again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-indexes-'));
    const port = await freePort();
    const start = async () => {
      const started = await startDatabase({
        kind,
        dir,
        port,
        logFile: join(dir, 'database.log'),
      });
      await waitForDatabase(`mongodb://127.0.0.1:${port}`, 90_000);
      return started;
    };
    let server = await start();
    try {
      let client = await MongoClient.connect(`mongodb://127.0.0.1:${port}`);
      let runs = client.db('weft').collection('runs');
      await runs.createIndex({ timerAt: 1 }, { sparse: true });
      await runs.insertMany(
        Array.from({ length: 300 }, (_, i) => ({
          _id: `run_${i}` as never,
          ...(i % 10 === 0 ? { timerAt: i } : {}),
        })),
      );
      await runs.updateOne({ _id: 'run_5' as never }, { $set: { timerAt: 5 } });
      await runs.updateOne({ _id: 'run_10' as never }, { $unset: { timerAt: '' } });
      const due = () =>
        runs
          .find({ timerAt: { $lte: 100 } })
          .sort({ timerAt: 1 })
          .toArray()
          .then((found) => found.map((d) => d._id as unknown as string));
      const before = await due();
      expect(before).toEqual([
        'run_0',
        'run_5',
        'run_20',
        'run_30',
        'run_40',
        'run_50',
        'run_60',
        'run_70',
        'run_80',
        'run_90',
        'run_100',
      ]);
      const names = (await runs.listIndexes().toArray()).map((index: Document) =>
        String(index.name),
      );
      expect(names).toEqual(expect.arrayContaining(['_id_', 'timerAt_1']));
      await client.close();

      await stopProcess(server, 30_000);
      server = await start();
      client = await MongoClient.connect(`mongodb://127.0.0.1:${port}`);
      runs = client.db('weft').collection('runs');
      expect(await due()).toEqual(before);
      await runs.deleteOne({ _id: 'run_0' as never });
      expect(await due()).toEqual(before.slice(1));
      await client.close();
    } finally {
      await stopProcess(server, 30_000);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
