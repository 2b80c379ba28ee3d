import { createHash, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { startFakeS3, type FakeS3 } from '../../../test/fakes/s3-server';
import { readArtifact } from './artifact-store';
import {
  S3ArtifactStore,
  S3ArtifactStoreError,
  s3ArtifactStoreFromEnv,
  type S3ArtifactStoreOptions,
} from './s3-artifact-store';
import { signRequest } from './sigv4';

const credentials = {
  accessKeyId: 'AKIAWEFTTESTKEY00001',
  secretAccessKey: 'weft/Secret+Access/Key0000000000000000000',
  region: 'eu-west-1',
  bucket: 'weft-artifacts',
};

let fake: FakeS3;

beforeAll(async () => {
  fake = await startFakeS3(credentials);
});

afterAll(async () => {
  await fake.close();
});

function store(overrides: Partial<S3ArtifactStoreOptions> = {}): S3ArtifactStore {
  return new S3ArtifactStore({ endpoint: fake.url, ...credentials, ...overrides });
}

async function rejection(promise: Promise<unknown>): Promise<S3ArtifactStoreError> {
  const error = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(S3ArtifactStoreError);
  return error as S3ArtifactStoreError;
}

describe('S3ArtifactStore', () => {
  it('gives back the bytes and facts it stored', async () => {
    const bytes = randomBytes(300_000);
    const put = await store().put({
      appId: 'app_one',
      bytes,
      contentType: 'image/png',
      runId: 'run_1',
      nodeId: 'résumé',
    });
    expect(put).toMatchObject({
      appId: 'app_one',
      contentType: 'image/png',
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      runId: 'run_1',
      nodeId: 'résumé',
    });

    const opened = await store().open('app_one', put.id);
    expect(opened?.info).toEqual(put);
    const chunks: unknown[] = [];
    for await (const chunk of opened!.content) chunks.push(chunk);
    expect(chunks.every((chunk) => Buffer.isBuffer(chunk))).toBe(true);
    expect(Buffer.concat(chunks as Buffer[]).equals(bytes)).toBe(true);
  });

  it('stores a stream as one object, and nothing when the stream fails', async () => {
    const parts = [randomBytes(70_000), randomBytes(1), randomBytes(30_000)];
    async function* arriving(fail?: Error) {
      for (const part of parts) yield part;
      if (fail) throw fail;
    }
    const put = await store().putStream({
      appId: 'app_one',
      content: arriving(),
      contentType: 'audio/wav',
      runId: 'run_2',
    });
    const whole = Buffer.concat(parts);
    expect(put).toMatchObject({
      size: whole.length,
      sha256: createHash('sha256').update(whole).digest('hex'),
      runId: 'run_2',
    });
    expect((await readArtifact(store(), 'app_one', put.id))?.bytes.equals(whole)).toBe(true);

    const objects = fake.objects.size;
    const broken = new Error('the upload broke off');
    await expect(
      store().putStream({ appId: 'app_one', content: arriving(broken), contentType: 'x/y' }),
    ).rejects.toBe(broken);
    await expect(
      store().putStream({ appId: '../app', content: arriving(), contentType: 'x/y' }),
    ).rejects.toThrow('cannot name an S3 object');
    expect(fake.objects.size).toBe(objects);
  });

  it('keeps an empty artifact', async () => {
    const put = await store().put({ appId: 'app_one', bytes: Buffer.alloc(0), contentType: 'x/y' });
    const read = await readArtifact(store(), 'app_one', put.id);
    expect(read?.info).toEqual(put);
    expect(read?.bytes.length).toBe(0);
  });

  it('uses path-style URLs and keys of the form <prefix><appId>/<artifactId>', async () => {
    const put = await store().put({
      appId: 'app_two',
      bytes: Buffer.from('hi'),
      contentType: 'a/b',
    });
    const request = fake.requests.at(-1);
    expect(request).toMatchObject({
      method: 'PUT',
      path: `/weft-artifacts/artifacts/app_two/${put.id}`,
      status: 200,
    });
    expect(request?.headers.host).toBe(new URL(fake.url).host);
    expect(request?.headers['x-amz-content-sha256']).toBe(put.sha256);
    expect(fake.objects.get(`artifacts/app_two/${put.id}`)?.headers).toMatchObject({
      'content-type': 'a/b',
      'x-amz-meta-app-id': 'app_two',
      'x-amz-meta-sha256': put.sha256,
    });

    const prefixed = await store({ prefix: 'tenant-a/' }).put({
      appId: 'app_two',
      bytes: Buffer.from('hi'),
      contentType: 'a/b',
    });
    expect(fake.objects.has(`tenant-a/app_two/${prefixed.id}`)).toBe(true);
  });

  it("never opens another app's artifact, nor an unknown or malformed id", async () => {
    const put = await store().put({
      appId: 'app_one',
      bytes: Buffer.from('x'),
      contentType: 'a/b',
    });
    await expect(store().open('app_other', put.id)).resolves.toBeUndefined();
    await expect(store().open('app_one', 'art_0000000000zzzzzzzzzzzz')).resolves.toBeUndefined();

    const before = fake.requests.length;
    for (const [appId, id] of [
      ['app_one', `${put.id}x`],
      ['app_one', `../app_one/${put.id}`],
      ['..', put.id],
      ['app_one/..', put.id],
    ] as const) {
      await expect(store().open(appId, id)).resolves.toBeUndefined();
    }
    expect(fake.requests.length).toBe(before);
    await expect(
      store().put({ appId: '../x', bytes: Buffer.from('x'), contentType: 'a/b' }),
    ).rejects.toThrow('cannot name an S3 object');
  });

  it('reports a wrong secret as SignatureDoesNotMatch without revealing the secret', async () => {
    const wrongSecret = 'wrong/Secret+Key/0000000000000000000000000';
    const wrong = store({ secretAccessKey: wrongSecret });
    const put = await store().put({
      appId: 'app_one',
      bytes: Buffer.from('x'),
      contentType: 'a/b',
    });

    for (const attempt of [
      wrong.put({ appId: 'app_one', bytes: Buffer.from('x'), contentType: 'a/b' }),
      wrong.open('app_one', put.id),
    ]) {
      const error = await rejection(attempt);
      expect(error).toMatchObject({ code: 'SignatureDoesNotMatch', status: 403 });
      expect(error.message).toContain('403 SignatureDoesNotMatch');
      for (const leak of [wrongSecret, credentials.secretAccessKey, 'Signature=', 'Credential=']) {
        expect(error.message).not.toContain(leak);
        expect(JSON.stringify(error)).not.toContain(leak);
      }
    }
    expect(fake.requests.at(-1)?.status).toBe(403);
    expect(inspect(wrong, { depth: 5 }) + JSON.stringify(wrong)).not.toContain(wrongSecret);
  });

  it('reports an unknown access key and a wrong region with S3 codes', async () => {
    const put = await store().put({
      appId: 'app_one',
      bytes: Buffer.from('x'),
      contentType: 'a/b',
    });
    await expect(
      rejection(store({ accessKeyId: 'AKIANOBODY' }).open('app_one', put.id)),
    ).resolves.toMatchObject({ code: 'InvalidAccessKeyId', status: 403 });
    await expect(
      rejection(store({ region: 'us-east-1' }).open('app_one', put.id)),
    ).resolves.toMatchObject({ code: 'AuthorizationHeaderMalformed', status: 400 });
  });

  it('throws on a missing bucket instead of calling the artifact missing', async () => {
    const error = await rejection(
      store({ bucket: 'no-such-bucket' }).open('app_one', 'art_0000000000zzzzzzzzzzzz'),
    );
    expect(error).toMatchObject({ code: 'NoSuchBucket', status: 404 });
    expect(error.message).toContain('no-such-bucket');
  });

  it('wraps an unreachable endpoint without leaking the secret', async () => {
    const closed = await startFakeS3(credentials);
    await closed.close();
    const error = await rejection(
      new S3ArtifactStore({ endpoint: closed.url, ...credentials }).open(
        'app_one',
        'art_0000000000zzzzzzzzzzzz',
      ),
    );
    expect(error.code).toBe('NetworkError');
    expect(error.message).toContain(closed.url);
    expect(error.message).not.toContain(credentials.secretAccessKey);
  });

  it('signs a session token when the credentials are temporary', async () => {
    const sessionToken = 'FwoGZXIvYXdzEJr//////////wEaDP+token=';
    const guarded = await startFakeS3({ ...credentials, sessionToken });
    try {
      const withToken = new S3ArtifactStore({
        endpoint: guarded.url,
        ...credentials,
        sessionToken,
      });
      const put = await withToken.put({
        appId: 'app_one',
        bytes: Buffer.from('x'),
        contentType: 'a/b',
      });
      expect((await readArtifact(withToken, 'app_one', put.id))?.bytes.toString()).toBe('x');

      const without = new S3ArtifactStore({ endpoint: guarded.url, ...credentials });
      const error = await rejection(without.open('app_one', put.id));
      expect(error.code).toBe('InvalidToken');
    } finally {
      await guarded.close();
    }
  });
});

describe('the fake S3', () => {
  async function signedFetch(
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: Buffer,
    tamper: (headers: Record<string, string>) => void = () => {},
  ): Promise<Response> {
    const url = new URL(path, fake.url);
    const sent = {
      ...headers,
      ...signRequest({
        method,
        url,
        headers,
        body,
        ...credentials,
        service: 's3',
        now: new Date(),
      }),
    };
    tamper(sent);
    return fetch(url, { method, headers: sent, ...(body ? { body } : {}) });
  }

  it('refuses a request changed after signing', async () => {
    const response = await signedFetch(
      'PUT',
      '/weft-artifacts/tampered',
      { 'x-amz-meta-owner': 'app_one' },
      Buffer.from('x'),
      (headers) => {
        headers['x-amz-meta-owner'] = 'app_two';
      },
    );
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    expect(fake.objects.has('tampered')).toBe(false);
  });

  it('refuses a body that does not match its signed hash', async () => {
    const url = new URL('/weft-artifacts/swapped', fake.url);
    const headers = signRequest({
      method: 'PUT',
      url,
      headers: {},
      body: Buffer.from('signed'),
      ...credentials,
      service: 's3',
      now: new Date(),
    });
    const response = await fetch(url, { method: 'PUT', headers, body: Buffer.from('sent') });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('<Code>XAmzContentSHA256Mismatch</Code>');
    expect(fake.objects.has('swapped')).toBe(false);
  });

  it('answers HEAD with the object headers and no body, and GET of a missing key with NoSuchKey', async () => {
    const put = await store().put({
      appId: 'app_one',
      bytes: Buffer.from('abc'),
      contentType: 'a/b',
    });
    const head = await signedFetch('HEAD', `/weft-artifacts/artifacts/app_one/${put.id}`, {});
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('3');
    expect(head.headers.get('x-amz-meta-sha256')).toBe(put.sha256);
    expect(await head.text()).toBe('');

    const missing = await signedFetch('GET', '/weft-artifacts/artifacts/app_one/nothing', {});
    expect(missing.status).toBe(404);
    expect(await missing.text()).toMatch(
      /<Error><Code>NoSuchKey<\/Code>.*<Key>artifacts\/app_one\/nothing<\/Key>/,
    );
  });
});

describe('s3ArtifactStoreFromEnv', () => {
  const env = {
    ARTIFACT_STORE: 's3',
    S3_ENDPOINT: 'http://127.0.0.1:9000',
    S3_BUCKET: 'weft',
    S3_ACCESS_KEY_ID: 'minio',
    S3_SECRET_ACCESS_KEY: 'minio-secret',
  };

  it('is off unless ARTIFACT_STORE=s3', () => {
    expect(s3ArtifactStoreFromEnv({})).toBeUndefined();
    expect(s3ArtifactStoreFromEnv({ ARTIFACT_STORE: 'gridfs', S3_BUCKET: 'x' })).toBeUndefined();
    expect(() => s3ArtifactStoreFromEnv({ ARTIFACT_STORE: 'ftp' })).toThrow('ARTIFACT_STORE');
  });

  it('names every missing variable', () => {
    expect(() => s3ArtifactStoreFromEnv({ ARTIFACT_STORE: 's3', S3_BUCKET: 'weft' })).toThrow(
      'ARTIFACT_STORE=s3 needs S3_ENDPOINT, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY',
    );
    expect(() => s3ArtifactStoreFromEnv({ ...env, S3_FORCE_PATH_STYLE: 'maybe' })).toThrow(
      'S3_FORCE_PATH_STYLE',
    );
    expect(() => s3ArtifactStoreFromEnv({ ...env, S3_ENDPOINT: 'minio:9000' })).toThrow(
      'S3 endpoint',
    );
  });

  it('builds a working store, in us-east-1 unless told otherwise', async () => {
    const east = await startFakeS3({ ...credentials, region: 'us-east-1' });
    try {
      const fromEnv = s3ArtifactStoreFromEnv({
        ARTIFACT_STORE: 's3',
        S3_ENDPOINT: east.url,
        S3_BUCKET: credentials.bucket,
        S3_ACCESS_KEY_ID: credentials.accessKeyId,
        S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      });
      expect(fromEnv).toBeInstanceOf(S3ArtifactStore);
      const put = await fromEnv!.put({
        appId: 'app_one',
        bytes: Buffer.from('e'),
        contentType: 'a/b',
      });
      expect(east.requests.at(-1)?.path).toBe(`/weft-artifacts/artifacts/app_one/${put.id}`);
      expect((await readArtifact(fromEnv!, 'app_one', put.id))?.bytes.toString()).toBe('e');
    } finally {
      await east.close();
    }
  });
});
