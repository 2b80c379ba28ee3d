import { createHash } from 'node:crypto';
import type { Connection } from 'mongoose';
import {
  GridFsArtifactStore,
  readArtifact,
  ResultStore,
  VectorMismatchError,
  VectorStore,
  WebhookDeliveryStore,
  connectDatabase as connectStoreDatabase,
} from '@weft/store';
import { connectDatabase, dropDatabase } from '../../support/test-infrastructure';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let connection: Connection;
beforeAll(async () => {
  connection = await connectDatabase();
});
afterAll(async () => {
  await dropDatabase(connection);
});

describe('GridFsArtifactStore', () => {
  it('keeps bytes out of line and gives them back only to their app', async () => {
    const artifacts = new GridFsArtifactStore(connection);
    await artifacts.ensureIndexes();
    // Bigger than one GridFS chunk (255 KiB), so reassembly is exercised.
    const bytes = Buffer.alloc(600 * 1024, 7);
    bytes.write('not all sevens', 300 * 1024);
    const info = await artifacts.put({
      appId: 'app_one',
      bytes,
      contentType: 'image/png',
      runId: 'run_1',
      nodeId: 'draw',
    });

    expect(info).toMatchObject({ appId: 'app_one', size: bytes.length, contentType: 'image/png' });
    const read = await readArtifact(artifacts, 'app_one', info.id);
    expect(read?.bytes.equals(bytes)).toBe(true);
    expect(read?.info).toMatchObject({ id: info.id, sha256: info.sha256, runId: 'run_1' });
    expect(await artifacts.open('app_two', info.id)).toBeUndefined();
    expect(await artifacts.open('app_one', 'art_0000000000000000000000')).toBeUndefined();
    expect(await artifacts.open('app_one', '../etc/passwd')).toBeUndefined();
  });

  it('stores a stream as it arrives, hashed whole, and nothing of one that fails', async () => {
    const artifacts = new GridFsArtifactStore(connection);
    const parts = [Buffer.alloc(200 * 1024, 1), Buffer.alloc(200 * 1024, 2), Buffer.from('end')];
    async function* arriving(fail?: Error) {
      for (const part of parts) yield part;
      if (fail) throw fail;
    }
    const whole = Buffer.concat(parts);
    const info = await artifacts.putStream({
      appId: 'app_one',
      content: arriving(),
      contentType: 'video/mp4',
      runId: 'run_2',
    });
    expect(info).toMatchObject({ size: whole.length, sha256: sha256(whole), runId: 'run_2' });
    const read = await readArtifact(artifacts, 'app_one', info.id);
    expect(read?.bytes.equals(whole)).toBe(true);
    expect(read?.info.sha256).toBe(info.sha256);

    const count = async () => ({
      files: await connection.collection('artifacts.files').countDocuments(),
      chunks: await connection.collection('artifacts.chunks').countDocuments(),
    });
    const before = await count();
    const broken = new Error('the upload broke off');
    await expect(
      artifacts.putStream({ appId: 'app_one', content: arriving(broken), contentType: 'x/y' }),
    ).rejects.toBe(broken);
    // Its first chunk (255 KiB) had been written; it is gone, and no file names it.
    expect(await count()).toEqual(before);
  });
});

describe('ResultStore', () => {
  it('pages an app’s collection newest first and writes a keyed result once', async () => {
    const results = new ResultStore(connection);
    await results.ensureIndexes();
    const first = await results.insert({
      appId: 'app_one',
      collection: 'captions',
      document: { caption: 'a', 'odd.key': { $weird: true } },
      writeKey: 'run_1:store',
    });
    const again = await results.insert({
      appId: 'app_one',
      collection: 'captions',
      document: { caption: 'changed' },
      writeKey: 'run_1:store',
    });
    expect(again).toEqual(first);
    const second = await results.insert({
      appId: 'app_one',
      collection: 'captions',
      document: { caption: 'b' },
    });
    await results.insert({ appId: 'app_two', collection: 'captions', document: { caption: 'x' } });

    const page1 = await results.list('app_one', 'captions', { limit: 1 });
    expect(page1.documents.map((d) => d.id)).toEqual([second.id]);
    const page2 = await results.list('app_one', 'captions', { limit: 1, cursor: page1.nextCursor });
    expect(page2).toEqual({ documents: [first] });
    expect(first.document).toEqual({ caption: 'a', 'odd.key': { $weird: true } });
    expect(await results.get('app_two', 'captions', first.id)).toBeUndefined();
    await expect(
      results.insert({ appId: 'app_one', collection: 'no spaces', document: {} }),
    ).rejects.toThrow(RangeError);
  });
});

describe('VectorStore', () => {
  it('returns the nearest items by cosine similarity, in order, within the app and index', async () => {
    const vectors = new VectorStore(connection);
    await vectors.ensureIndexes();
    const items = {
      east: [1, 0, 0],
      north: [0, 1, 0],
      northeast: [1, 1, 0],
      up: [0, 0, 1],
      west: [-1, 0, 0],
    };
    for (const [id, vector] of Object.entries(items)) {
      await vectors.upsert('app_one', 'compass', { id, vector, metadata: { name: id } });
    }
    await vectors.upsert('app_two', 'compass', { id: 'intruder', vector: [1, 0.1, 0] });
    await vectors.upsert('app_one', 'other', { id: 'elsewhere', vector: [1, 0.1, 0] });

    const matches = await vectors.search('app_one', 'compass', [1, 0.2, 0], 3);
    expect(matches.map((m) => m.id)).toEqual(['east', 'northeast', 'north']);
    expect(matches[0]?.score).toBeCloseTo(1 / Math.sqrt(1.04), 6);
    expect(matches[0]?.metadata).toEqual({ name: 'east' });
    expect((await vectors.search('app_one', 'compass', [-1, 0, 0], 1))[0]?.id).toBe('west');

    // Writing an id again replaces it.
    await vectors.upsert('app_one', 'compass', { id: 'up', vector: [1, 0.2, 0] });
    expect((await vectors.search('app_one', 'compass', [1, 0.2, 0], 1))[0]?.id).toBe('up');

    await expect(vectors.upsert('app_one', 'compass', { id: 'x', vector: [1, 2] })).rejects.toThrow(
      VectorMismatchError,
    );
    await expect(vectors.search('app_one', 'compass', [1, 2], 3)).rejects.toThrow(/3-dimensional/);
  });
});

describe('WebhookDeliveryStore', () => {
  const delivery = (eventId: string) => ({
    eventId,
    appId: 'app_one',
    runId: `run_${eventId}`,
    event: 'run.completed',
    url: 'https://receiver.example/hook',
    body: '{}',
  });

  it('hands out due deliveries soonest first, once per lease, and none that ended', async () => {
    let now = 1_000_000;
    const store = new WebhookDeliveryStore(connection, () => now);
    await store.ensureIndexes();
    const first = await store.enqueue(delivery('one'));
    now += 10;
    const second = await store.enqueue(delivery('two'));
    now += 10;
    const ended = await store.enqueue(delivery('three'));

    expect((await store.claimDue(1000))?.id).toBe(first);
    expect((await store.claimDue(1000))?.id).toBe(second);
    const third = await store.claimDue(1000);
    expect(third?.id).toBe(ended);
    await store.recordAttempt(
      ended,
      { at: now, durationMs: 5, status: 200 },
      { status: 'delivered' },
    );
    expect(await store.claimDue(1000)).toBeUndefined();

    // A retry is due at its time; a lease that ran out makes its delivery due again.
    await store.recordAttempt(
      second,
      { at: now, durationMs: 5, status: 500 },
      { status: 'pending', nextAttemptAt: now + 500 },
    );
    now += 500;
    expect((await store.claimDue(1000))?.id).toBe(second);
    expect(await store.claimDue(1000)).toBeUndefined();
    now += 600; // the first one's lease (taken 1,100 ms ago, for 1,000) has run out
    expect((await store.claimDue(1000))?.id).toBe(first);
    expect(await store.claimDue(1000)).toBeUndefined();
  });

  it('makes live deliveries written before dueAt existed due, on start', async () => {
    await connection.collection('webhook_deliveries').deleteMany({});
    const now = 2_000_000;
    const store = new WebhookDeliveryStore(connection, () => now);
    await store.ensureIndexes();
    const pending = await store.enqueue(delivery('old-pending'));
    const delivered = await store.enqueue(delivery('old-delivered'));
    await store.recordAttempt(
      delivered,
      { at: now, durationMs: 5, status: 200 },
      { status: 'delivered' },
    );
    // As an earlier version wrote them: no dueAt.
    await connection.collection('webhook_deliveries').updateMany({}, { $unset: { dueAt: '' } });
    expect(await store.claimDue(1000)).toBeUndefined();

    await store.ensureIndexes();
    expect((await store.claimDue(1000))?.id).toBe(pending);
    expect(await store.claimDue(1000)).toBeUndefined();
  });
});

describe('connectDatabase', () => {
  it('tells onCommand the name of each command it sends', async () => {
    const commands: string[] = [];
    const own = await connectStoreDatabase(process.env.MONGODB_URI ?? '', {
      dbName: connection.name,
      onCommand: (command) => commands.push(command),
    });
    try {
      commands.length = 0;
      const collection = own.collection('counted');
      await collection.insertOne({ _id: 'one' as never });
      await collection.findOne({ _id: 'one' as never });
      await collection.updateOne({ _id: 'one' as never }, { $set: { seen: true } });
      expect(commands).toEqual(['insert', 'find', 'update']);
    } finally {
      await own.close();
    }
  });
});
