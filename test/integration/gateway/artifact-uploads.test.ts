import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { WeftApiError, WeftClient } from '@weft/client';
import { waitFor } from '../../support/test-infrastructure';
import {
  expectApiError,
  startGatewayFixture,
  type GatewayFixture,
  type GatewayResponse,
} from './gateway-fixture';

const ADMIN_TOKEN = 'artifact-admin-'.padEnd(40, 'x');
/** More than two GridFS chunks (255 KiB each): a refused upload has stored some, to take back. */
const LIMIT = 600 * 1024;
const PUBLIC_URL = 'https://weft.example/api';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** `parts` × `size` random bytes, sent chunked (no Content-Length). */
function streamOf(parts: number, size: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent++ === parts) controller.close();
      else controller.enqueue(randomBytes(size));
    },
  });
}

interface Stored {
  url: string;
  content_type: string;
  file_size: number;
}

describe('artifact uploads through the gateway, on the real database', () => {
  /** The default limit and an admin token. */
  let fx: GatewayFixture;
  /** A limit of LIMIT, PUBLIC_URL set, no admin API. */
  let small: GatewayFixture;
  let other: { appId: string; apiKey: string };

  beforeAll(async () => {
    fx = await startGatewayFixture('gateway-uploads', { adminToken: ADMIN_TOKEN });
    small = await startGatewayFixture('gateway-uploads-small', {
      artifactLimitBytes: LIMIT,
      publicUrl: PUBLIC_URL,
    });
    other = await fx.otherApp();
  });

  afterAll(async () => {
    await fx?.close();
    await small?.close();
  });

  /** POST `body` to `path` of `gateway` with its key (or `headers` overriding it). */
  async function post(
    gateway: GatewayFixture,
    path: string,
    body: RequestInit['body'],
    headers: Record<string, string> = {},
  ): Promise<GatewayResponse> {
    const response = await fetch(gateway.url + path, {
      method: 'POST',
      headers: { 'x-api-key': gateway.apiKey, ...headers },
      body,
      // fetch sends a stream only when told it may answer before the whole body is sent.
      ...(body instanceof ReadableStream ? { duplex: 'half' as const } : {}),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text === '' ? undefined : (JSON.parse(text) as unknown),
      headers: response.headers,
    };
  }

  /** What GridFS holds: files (artifacts that exist) and chunks (their bytes, or leftovers). */
  const stored = async (gateway: GatewayFixture) => ({
    files: await gateway.count('artifacts.files'),
    chunks: await gateway.count('artifacts.chunks'),
  });

  async function read(url: string, apiKey: string): Promise<Response> {
    return fetch(url, { headers: { 'x-api-key': apiKey } });
  }

  it('stores the bytes under the key’s app and serves them back as they were', async () => {
    const bytes = randomBytes(700 * 1024);
    const uploaded = await post(fx, '/v1/artifacts', bytes, {
      'content-type': 'video/mp4; codecs="avc1.42E01E"',
    });
    expect(uploaded.status).toBe(201);
    const artifact = uploaded.body as Stored;
    expect(artifact).toEqual({
      url: expect.stringMatching(
        new RegExp(`^${fx.url}/v1/artifacts/art_[0-9a-z]{22}$`),
      ) as unknown,
      content_type: 'video/mp4; codecs="avc1.42E01E"',
      file_size: bytes.length,
    });
    expect(uploaded.headers.get('location')).toBe(artifact.url);
    expect(uploaded.headers.get('cache-control')).toBe('no-store');

    const served = await read(artifact.url, fx.apiKey);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe(artifact.content_type);
    expect(served.headers.get('etag')).toBe(`"${sha256(bytes)}"`);
    expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true);

    expectApiError(
      await fx.request('GET', artifact.url, { headers: { 'x-api-key': other.apiKey } }),
      404,
      'artifact_not_found',
    );

    // Chunked, without a Content-Length, and empty: both are bytes like any others.
    const streamed = await post(fx, '/v1/artifacts', streamOf(5, 100_000), {
      'content-type': 'application/octet-stream',
    });
    expect((streamed.body as Stored).file_size).toBe(500_000);
    const empty = await post(fx, '/v1/artifacts', new Uint8Array(), {
      'content-type': 'text/plain',
    });
    expect(empty.status).toBe(201);
    const emptyServed = await read((empty.body as Stored).url, fx.apiKey);
    expect((await emptyServed.arrayBuffer()).byteLength).toBe(0);
  });

  it('refuses a missing or malformed Content-Type, or an encoded body, storing nothing', async () => {
    const before = await stored(fx);
    const bytes = Buffer.from('some bytes');
    const missing = expectApiError(await post(fx, '/v1/artifacts', bytes), 400, 'invalid_request');
    expect(missing.details).toEqual({
      issues: [{ path: 'header:Content-Type', message: 'is required' }],
    });
    for (const malformed of ['image', 'image/', 'a b/c', 'text/plain; charset', 'x/'.repeat(200)]) {
      expectApiError(
        await post(fx, '/v1/artifacts', bytes, { 'content-type': malformed }),
        400,
        'invalid_request',
      );
    }
    const encoded = expectApiError(
      await post(fx, '/v1/artifacts', bytes, {
        'content-type': 'text/plain',
        'content-encoding': 'gzip',
      }),
      400,
      'invalid_request',
    );
    expect(encoded.details).toEqual({
      issues: [{ path: 'header:Content-Encoding', message: 'must be absent or identity' }],
    });
    // Another method is no route, whatever its body: not a JSON error.
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      expectApiError(
        await fx.request(method, '/v1/artifacts', { body: '{not json' }),
        404,
        'not_found',
      );
    }
    expect(await stored(fx)).toEqual(before);
  });

  it('refuses an upload over the limit, declared or streamed, leaving no chunk behind', async () => {
    const before = await stored(small);
    const declared = expectApiError(
      await post(small, '/v1/artifacts', randomBytes(LIMIT + 1), {
        'content-type': 'application/octet-stream',
      }),
      413,
      'artifact_too_large',
    );
    expect(declared.details).toEqual({ limitBytes: LIMIT });

    // No Content-Length: refused once LIMIT bytes have passed, after two chunks were written.
    const streamed = await post(small, '/v1/artifacts', streamOf(20, 64 * 1024), {
      'content-type': 'application/octet-stream',
    });
    expect(expectApiError(streamed, 413, 'artifact_too_large').details).toEqual({
      limitBytes: LIMIT,
    });
    expect(streamed.headers.get('connection')).toBe('close');
    expect(await stored(small)).toEqual(before);

    const exactly = await post(small, '/v1/artifacts', randomBytes(LIMIT), {
      'content-type': 'application/octet-stream',
    });
    expect(exactly.status).toBe(201);
    // Built as steps build artifact URLs: on PUBLIC_URL, not on the address it was sent to.
    expect((exactly.body as Stored).url).toMatch(
      new RegExp(`^${PUBLIC_URL}/v1/artifacts/art_[0-9a-z]{22}$`),
    );
  });

  it('leaves nothing of an upload that breaks off', async () => {
    const before = await stored(fx);
    const sending = httpRequest(`${fx.url}/v1/artifacts`, {
      method: 'POST',
      headers: {
        'x-api-key': fx.apiKey,
        'content-type': 'application/octet-stream',
        'content-length': String(4 * 1024 * 1024),
      },
    });
    // Destroying it is the point: its error (a hung-up socket) is expected.
    sending.on('error', () => undefined);
    const closed = new Promise((resolve) => sending.once('close', resolve));
    sending.write(randomBytes(1024 * 1024));
    // The gateway is storing it: chunks exist, not yet a file.
    await waitFor('chunks of the upload in progress', async () => {
      const now = await stored(fx);
      return now.chunks > before.chunks ? now : undefined;
    });
    sending.destroy();
    await closed;
    await waitFor('the broken-off upload to be taken back', async () => {
      const now = await stored(fx);
      return now.chunks === before.chunks ? now : undefined;
    });
    expect(await stored(fx)).toEqual(before);
    // Answered as the client's fault, not logged as ours.
    await waitFor('the request to be logged', async () =>
      Promise.resolve(
        fx.logs.find(
          (line) => line.msg === 'request' && line.status === 400 && line.method === 'POST',
        ),
      ),
    );
    expect(fx.logs.filter((line) => line.level === 'error')).toEqual([]);
  });

  it('records the run it belongs to, when the run is the app’s', async () => {
    const started = await fx.request('POST', '/v1/workflows/run', {
      body: { workflowSlug: 'blank' },
    });
    const { runId } = started.body as { runId: string };
    const uploaded = await post(fx, `/v1/artifacts?runId=${runId}`, Buffer.from('{"a":1}'), {
      'content-type': 'application/json',
    });
    expect(uploaded.status).toBe(201);
    const id = (uploaded.body as Stored).url.split('/').pop() ?? '';
    const opened = await fx.artifacts.open(fx.appId, id);
    opened?.content.destroy();
    expect(opened?.info).toMatchObject({ runId, contentType: 'application/json', size: 7 });

    const before = await stored(fx);
    const foreign = await fetch(`${fx.url}/v1/artifacts?runId=${runId}`, {
      method: 'POST',
      headers: { 'x-api-key': other.apiKey, 'content-type': 'text/plain' },
      body: 'mine',
    });
    expect(foreign.status).toBe(404);
    expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe(
      'run_not_found',
    );
    for (const query of ['?runId=run_nope', '?runId=nope']) {
      expectApiError(
        await post(fx, `/v1/artifacts${query}`, 'x', { 'content-type': 'text/plain' }),
        404,
        'run_not_found',
      );
    }
    expectApiError(
      await post(fx, `/v1/artifacts?runId=${runId}&runId=${runId}`, 'x', {
        'content-type': 'text/plain',
      }),
      400,
      'invalid_request',
    );
    expect(await stored(fx)).toEqual(before);
  });

  it('stores for any app through the admin API, with the admin token only', async () => {
    const path = `/v1/admin/apps/${other.appId}/artifacts`;
    const bytes = randomBytes(1000);
    const admin = { 'x-api-key': '', authorization: `Bearer ${ADMIN_TOKEN}` };
    const uploaded = await post(fx, path, bytes, { ...admin, 'content-type': 'image/webp' });
    expect(uploaded.status).toBe(201);
    const artifact = uploaded.body as Stored;
    expect(artifact).toMatchObject({ content_type: 'image/webp', file_size: 1000 });
    const served = await read(artifact.url, other.apiKey);
    expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true);
    expect((await read(artifact.url, fx.apiKey)).status).toBe(404);

    const before = await stored(fx);
    const typed = { 'content-type': 'image/webp' };
    expectApiError(
      await post(fx, path, bytes, { 'x-api-key': '', ...typed }),
      401,
      'missing_admin_token',
    );
    expectApiError(await post(fx, path, bytes, typed), 401, 'missing_admin_token');
    expectApiError(
      await post(fx, path, bytes, { ...typed, authorization: `Bearer ${'y'.repeat(40)}` }),
      401,
      'invalid_admin_token',
    );
    expectApiError(
      await post(fx, '/v1/admin/apps/app_0000000000000000000000/artifacts', bytes, {
        ...admin,
        ...typed,
      }),
      404,
      'app_not_found',
    );
    const { runId } = (
      await fx.request('POST', '/v1/workflows/run', { body: { workflowSlug: 'blank' } })
    ).body as { runId: string };
    expectApiError(
      await post(fx, `${path}?runId=${runId}`, bytes, { ...admin, ...typed }),
      404,
      'run_not_found',
    );
    expectApiError(await post(fx, path, bytes, admin), 400, 'invalid_request');
    expect(await stored(fx)).toEqual(before);

    // A gateway without ADMIN_TOKEN has no admin API at all.
    expectApiError(
      await post(small, `/v1/admin/apps/${small.appId}/artifacts`, bytes, { ...admin, ...typed }),
      404,
      'not_found',
    );
  });

  it('round-trips through @weft/client: bytes, a Blob, a stream, and as an operator', async () => {
    const weft = new WeftClient({ url: fx.url, apiKey: fx.apiKey, retries: 0 });
    const bytes = randomBytes(300 * 1024);
    for (const body of [bytes, new Blob([bytes]), new Blob([bytes]).stream()]) {
      const artifact = await weft.artifacts.upload(body, { contentType: 'image/png' });
      expect(artifact).toMatchObject({ content_type: 'image/png', file_size: bytes.length });
      const downloaded = await weft.artifacts.download(artifact.url);
      expect(Buffer.from(downloaded.bytes).equals(bytes)).toBe(true);
      expect(downloaded).toMatchObject({ contentType: 'image/png', etag: `"${sha256(bytes)}"` });
    }

    const operator = new WeftClient({ url: fx.url, adminToken: ADMIN_TOKEN, retries: 0 });
    const theirs = await operator.admin.artifacts.upload(other.appId, bytes, {
      contentType: 'audio/wav',
    });
    const asThem = new WeftClient({ url: fx.url, apiKey: other.apiKey, retries: 0 });
    expect(Buffer.from((await asThem.artifacts.download(theirs.url)).bytes).equals(bytes)).toBe(
      true,
    );

    const limited = new WeftClient({ url: small.url, apiKey: small.apiKey, retries: 0 });
    const refused = await limited.artifacts
      .upload(randomBytes(LIMIT + 1), { contentType: 'image/png' })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(WeftApiError);
    expect(refused).toMatchObject({
      status: 413,
      code: 'artifact_too_large',
      details: { limitBytes: LIMIT },
    });
  });
});
