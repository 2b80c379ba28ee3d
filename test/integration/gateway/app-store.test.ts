import type { Connection } from 'mongoose';
import { AppStore, connectDatabase } from '@weft/store';
import { dropDatabase, uniqueName } from '../../support/test-infrastructure';

describe('AppStore on the real database', () => {
  let connection: Connection;
  let now = Date.UTC(2030, 0, 1);
  let apps: AppStore;

  beforeAll(async () => {
    connection = await connectDatabase(process.env.MONGODB_URI ?? '', {
      dbName: uniqueName('apps').replaceAll('-', '_'),
    });
    apps = new AppStore(connection, () => now);
    await apps.ensureIndexes();
  });

  afterAll(async () => {
    await dropDatabase(connection);
  });

  it('creates an app with a key that is stored only as its hash', async () => {
    const { app, apiKey, key } = await apps.createApp('  Demo app ');
    expect(app).toEqual({
      id: expect.stringMatching(/^app_/) as unknown,
      name: 'Demo app',
      createdAt: now,
    });
    expect(apiKey).toMatch(/^weft_[0-9a-z]{8}_/);
    expect(key).toEqual({
      id: expect.stringMatching(/^key_/) as unknown,
      appId: app.id,
      prefix: apiKey.slice(5, 13),
      createdAt: now,
    });

    const stored = await connection.collection('api_keys').find({}).toArray();
    expect(stored).toHaveLength(1);
    const text = JSON.stringify(stored);
    expect(text).not.toContain(apiKey);
    expect(text).not.toContain(apiKey.slice(14));
    expect(Object.keys(stored[0] ?? {}).sort()).toEqual([
      '_id',
      'appId',
      'createdAt',
      'hash',
      'prefix',
    ]);

    expect(await apps.authenticate(apiKey)).toEqual({ appId: app.id, keyId: key.id });
    expect(await apps.getApp(app.id)).toEqual(app);
  });

  it('refuses unknown, malformed and revoked keys', async () => {
    const { app, apiKey, key } = await apps.createApp('revocable');
    const other = apiKey.slice(0, -1) + (apiKey.endsWith('A') ? 'B' : 'A');
    expect(await apps.authenticate(other)).toBeUndefined();
    expect(await apps.authenticate('')).toBeUndefined();
    expect(await apps.authenticate('not a key')).toBeUndefined();

    const revoked = await apps.revokeKey(app.id, key.id);
    expect(revoked?.revokedAt).toBe(now);
    expect(await apps.authenticate(apiKey)).toBeUndefined();
    // Idempotent, and scoped to the app.
    expect((await apps.revokeKey(app.id, key.id))?.revokedAt).toBe(now);
    expect(await apps.revokeKey('app_other', key.id)).toBeUndefined();
    expect(await apps.revokeKey(app.id, 'key_missing')).toBeUndefined();
  });

  it('keeps several keys per app and lists them without secrets', async () => {
    const { app, key: first } = await apps.createApp('many keys');
    const second = await apps.createKey(app.id);
    expect(second).toBeDefined();
    expect(await apps.createKey('app_missing')).toBeUndefined();
    const listed = await apps.listKeys(app.id);
    expect(listed.map((key) => key.id)).toEqual([first.id, second?.key.id]);
    expect(JSON.stringify(listed)).not.toContain('hash');
    expect(await apps.listKeys('app_missing')).toEqual([]);
  });

  it('updates lastUsedAt at most once a minute', async () => {
    const { apiKey, app, key } = await apps.createApp('busy');
    const lastUsed = async () =>
      (await apps.listKeys(app.id)).find((k) => k.id === key.id)?.lastUsedAt;
    expect(await lastUsed()).toBeUndefined();

    const start = now;
    await apps.authenticate(apiKey);
    expect(await lastUsed()).toBe(start);
    now += 30_000;
    await apps.authenticate(apiKey);
    expect(await lastUsed()).toBe(start);
    now += 31_000;
    await apps.authenticate(apiKey);
    expect(await lastUsed()).toBe(now);
  });

  it('refuses empty and overlong app names', async () => {
    await expect(apps.createApp('  ')).rejects.toThrow(RangeError);
    await expect(apps.createApp('x'.repeat(101))).rejects.toThrow(/at most 100/);
  });
});
