// `npx tsx bench/database-probe.ts [MONGODB_URI] [N]`: what Weft's query shapes cost on a database
// holding N runs of about 2 KB (50,000 by default), one in a thousand live (with a timer and an
// outbox): by _id, by _id and app, the compare-and-set on _id and version, due timers, the
// outbox gauge. Prints mean milliseconds per query over 20; asserts nothing. Uses a database of
// its own, dropped afterwards. See docs/benchmarks.md ("History").
import { MongoClient, type Document } from 'mongodb';

const DOCUMENT_BYTES = 2_000;
const REPEATS = 20;

async function main(): Promise<void> {
  const uri = process.argv[2] ?? process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017';
  const count = Number(process.argv[3] ?? 50_000);
  const client = await MongoClient.connect(uri);
  const db = client.db(`probe_${Date.now()}`);
  try {
    const runs = db.collection<{ _id: string } & Document>('runs');
    await runs.createIndex({ timerAt: 1 }, { sparse: true });
    await runs.createIndex({ outboxAt: 1 }, { sparse: true });
    const id = (i: number) => `run_${String(i).padStart(8, '0')}`;
    const body = 'x'.repeat(DOCUMENT_BYTES);
    const startedAt = Date.now();
    for (let first = 0; first < count; first += 1_000) {
      const batch: ({ _id: string } & Document)[] = [];
      for (let i = first; i < Math.min(count, first + 1_000); i++) {
        const live = i % 1_000 === 0 ? { timerAt: i, outboxAt: i } : {};
        batch.push({ _id: id(i), appId: 'app', v: 3, status: 'completed', body, ...live });
      }
      await runs.insertMany(batch);
    }
    console.log(`${count} runs inserted in ${Date.now() - startedAt} ms`);
    // Spread over the whole collection: a scan that stops at its first match is not flattered.
    const spread = (i: number) => id((i * 2477) % count);
    const time = async (label: string, query: (i: number) => Promise<unknown>) => {
      const start = process.hrtime.bigint();
      for (let i = 0; i < REPEATS; i++) await query(i);
      const ms = Number(process.hrtime.bigint() - start) / 1e6 / REPEATS;
      console.log(`${label.padEnd(44)} ${ms.toFixed(2)} ms`);
    };
    await time('findOne {_id}', (i) => runs.findOne({ _id: spread(i) }));
    await time('findOne {_id, appId}', (i) => runs.findOne({ _id: spread(i), appId: 'app' }));
    await time('findOneAndUpdate {_id, v} (compare-and-set)', (i) =>
      runs.findOneAndUpdate({ _id: spread(i), v: 3 }, { $inc: { v: 1 } }),
    );
    await time('updateOne {_id, v}', (i) =>
      runs.updateOne({ _id: spread(i + REPEATS), v: 3 }, { $inc: { v: 1 } }),
    );
    await time('group read: find {_id: {$in: 50 ids}}', (i) =>
      runs
        .find({ _id: { $in: Array.from({ length: 50 }, (_, k) => spread(i * 50 + k)) } })
        .toArray(),
    );
    await time('group write: bulkWrite of 50 updateOne {_id, v}', (i) =>
      runs.bulkWrite(
        Array.from({ length: 50 }, (_, k) => ({
          updateOne: {
            filter: { _id: spread(3 * REPEATS + i * 50 + k), v: 3 },
            update: { $inc: { v: 1 } },
          },
        })),
        { ordered: false },
      ),
    );
    await time('due timers: {timerAt: {$lte}} sorted, 100', () =>
      runs
        .find({ timerAt: { $lte: count / 2 } }, { projection: { _id: 1 } })
        .sort({ timerAt: 1 })
        .limit(100)
        .toArray(),
    );
    await time('outbox gauge: count {outboxAt: {$exists}}', () =>
      db.command({ count: 'runs', query: { outboxAt: { $exists: true } } }),
    );
  } finally {
    await db.dropDatabase();
    await client.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
