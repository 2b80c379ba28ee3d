import { execFile, execFileSync } from 'node:child_process';
import { devNull } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Connection } from 'mongoose';
import { AppStore, connectDatabase } from '@weft/store';
import { dropDatabase, uniqueName } from '../../support/test-infrastructure';

const ROOT = join(__dirname, '..', '..', '..');
// What `npx weft` runs: the command `npm ci` linked (a committed file, so it exists on a fresh clone).
const CLI = join(ROOT, 'node_modules', '.bin', 'weft');
const run = promisify(execFile);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

describe('the weft CLI, built, on the real database', () => {
  const dbName = uniqueName('cli').replaceAll('-', '_');
  let mongoUri: string;
  let connection: Connection;
  let apps: AppStore;

  async function weft(...args: string[]): Promise<Outcome> {
    try {
      const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
        // In the database: no admin token or profile from the shell that runs the tests.
        env: { ...process.env, MONGODB_URI: mongoUri, WEFT_ADMIN_TOKEN: '', WEFT_CONFIG: devNull },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  beforeAll(async () => {
    // The test runs what users run: the compiled CLI (tsc -b is a no-op when it is up to date).
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', 'packages/cli'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    const url = new URL(process.env.MONGODB_URI ?? '');
    url.pathname = `/${dbName}`;
    mongoUri = url.toString();
    connection = await connectDatabase(mongoUri);
    apps = new AppStore(connection);
  });

  afterAll(async () => {
    await dropDatabase(connection);
  });

  it('creates an app whose key authenticates, and stores only its hash', async () => {
    const created = await weft('apps', 'create', 'demo', '--json');
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const output = JSON.parse(created.stdout) as {
      appId: string;
      apiKey: string;
      webhookSecret: string;
    };
    expect(Object.keys(output)).toEqual(['appId', 'apiKey', 'webhookSecret']);
    expect(output.webhookSecret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(await apps.webhookSecret(output.appId)).toBe(output.webhookSecret);
    expect(output.appId).toMatch(/^app_/);
    expect(await apps.authenticate(output.apiKey)).toEqual({
      appId: output.appId,
      keyId: expect.stringMatching(/^key_/) as unknown,
    });
    expect(await apps.getApp(output.appId)).toMatchObject({ name: 'demo' });
    const stored = JSON.stringify(await connection.collection('api_keys').find().toArray());
    expect(stored).not.toContain(output.apiKey);
  });

  it('prints the key for people too', async () => {
    const created = await weft('apps', 'create', 'Human app');
    expect(created.code).toBe(0);
    const key = /weft_[0-9a-z]{8}_[A-Za-z0-9_-]{43}/.exec(created.stdout)?.[0];
    expect(key).toBeDefined();
    expect(created.stdout).toMatch(/Created app "Human app" \(app_[0-9a-z]+\)/);
    expect(await apps.authenticate(key ?? '')).toBeDefined();
  });

  it('creates, lists and revokes keys', async () => {
    const { appId, apiKey } = JSON.parse(
      (await weft('apps', 'create', 'keys', '--json')).stdout,
    ) as {
      appId: string;
      apiKey: string;
    };
    const second = JSON.parse((await weft('keys', 'create', '--app', appId, '--json')).stdout) as {
      keyId: string;
      apiKey: string;
    };
    expect(await apps.authenticate(second.apiKey)).toEqual({ appId, keyId: second.keyId });

    type Listed = { keys: { id: string; prefix: string; revokedAt: string | null }[] };
    const listed = JSON.parse(
      (await weft('keys', 'list', '--app', appId, '--json')).stdout,
    ) as Listed;
    expect(listed.keys.map((key) => key.prefix)).toEqual([
      apiKey.slice(5, 13),
      second.apiKey.slice(5, 13),
    ]);
    expect(JSON.stringify(listed)).not.toContain(apiKey);

    const revoked = await weft('keys', 'revoke', second.keyId, '--app', appId);
    expect(revoked).toMatchObject({
      code: 0,
      stdout: expect.stringContaining(`Revoked key ${second.keyId}`) as unknown,
    });
    expect(await apps.authenticate(second.apiKey)).toBeUndefined();
    expect(await apps.authenticate(apiKey)).toBeDefined();
    const after = JSON.parse(
      (await weft('keys', 'list', '--app', appId, '--json')).stdout,
    ) as Listed;
    expect(after.keys.map((key) => key.revokedAt === null)).toEqual([true, false]);
  });

  it('fails clearly: 1 for what cannot be done, 2 for a wrong command line', async () => {
    expect(await weft('keys', 'list', '--app', 'app_missing')).toMatchObject({
      code: 1,
      stderr: 'weft: there is no app app_missing\n',
    });
    expect(await weft('keys', 'revoke', 'key_missing', '--app', 'app_missing')).toMatchObject({
      code: 1,
    });
    expect(await weft('apps', 'create')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('Usage:') as unknown,
    });
    expect(await weft('keys', 'list')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--app is required') as unknown,
    });
    expect(await weft('teleport')).toMatchObject({ code: 2 });
    expect(await weft('--help')).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('weft apps create') as unknown,
    });
  });
});
