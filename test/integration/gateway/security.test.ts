import {
  expectApiError,
  startGatewayFixture,
  type GatewayFixture,
  type GatewayResponse,
} from './gateway-fixture';

interface KeyView {
  id: string;
  prefix: string;
  createdAt: string;
  lastUsedAt?: string;
  revokedAt?: string;
}

interface CreatedKey {
  key: KeyView;
  apiKey: string;
}

/** What a stack trace looks like in text: frames, or file positions of our sources. */
const STACK_TRACE = /\n\s+at |\bat [\w.<>]+ \(|\.[jt]s:\d+|"stack"/;

const definition = {
  name: 'Private flow',
  steps: [{ id: 'shape', type: 'core/transform', input: { value: '${input.text}' } }],
};

describe('API security on a real broker and database', () => {
  let fx: GatewayFixture;

  beforeAll(async () => {
    fx = await startGatewayFixture('gateway-security');
  });

  afterAll(async () => {
    await fx?.close();
  });

  it('creates keys over the API, lists them by prefix only, and revokes them', async () => {
    const created = await fx.request('POST', '/v1/keys');
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const { key, apiKey } = created.body as CreatedKey;
    expect(key).toEqual({
      id: expect.stringMatching(/^key_/) as unknown,
      prefix: expect.stringMatching(/^[0-9a-z]{8}$/) as unknown,
      createdAt: expect.any(String) as unknown,
    });
    expect(apiKey.startsWith(`weft_${key.prefix}_`)).toBe(true);

    // The new key works, and sees the app's keys: prefixes and times, never a key or its hash.
    const asNew = { 'x-api-key': apiKey };
    const listed = await fx.request('GET', '/v1/keys', { headers: asNew });
    expect(listed.status).toBe(200);
    expect(listed.headers.get('cache-control')).toBe('no-store');
    const keys = (listed.body as { keys: KeyView[] }).keys;
    expect(keys.map((k) => k.id)).toContain(key.id);
    expect(keys.find((k) => k.id === key.id)).toEqual({
      ...key,
      lastUsedAt: expect.any(String) as unknown,
    });
    for (const listedKey of keys) {
      expect(
        Object.keys(listedKey).every((field) =>
          ['id', 'prefix', 'createdAt', 'lastUsedAt', 'revokedAt'].includes(field),
        ),
      ).toBe(true);
    }
    const text = JSON.stringify(listed.body);
    expect(text).not.toContain(apiKey);
    expect(text).not.toContain(fx.apiKey);
    expect(text).not.toContain('hash');

    // Revoked by another key of the app: refused from then on, while the other key still works.
    const revoked = await fx.request('DELETE', `/v1/keys/${key.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.headers.get('cache-control')).toBe('no-store');
    const revokedKey = (revoked.body as { key: KeyView }).key;
    expect(revokedKey).toEqual({
      ...key,
      lastUsedAt: expect.any(String) as unknown,
      revokedAt: expect.any(String) as unknown,
    });
    expectApiError(await fx.request('GET', '/v1/keys', { headers: asNew }), 401, 'invalid_api_key');
    expect((await fx.request('GET', '/v1/keys')).status).toBe(200);
    // A retried revoke is no error, and changes nothing.
    expect((await fx.request('DELETE', `/v1/keys/${key.id}`)).body).toEqual({ key: revokedKey });

    // A key may revoke itself: the request that does it still succeeds.
    const rotated = (await fx.request('POST', '/v1/keys', { body: {} })).body as CreatedKey;
    const asRotated = { 'x-api-key': rotated.apiKey };
    const selfRevoked = await fx.request('DELETE', `/v1/keys/${rotated.key.id}`, {
      headers: asRotated,
    });
    expect(selfRevoked.status).toBe(200);
    expectApiError(
      await fx.request('GET', '/v1/keys', { headers: asRotated }),
      401,
      'invalid_api_key',
    );

    const before = await fx.count('api_keys');
    expectApiError(
      await fx.request('DELETE', '/v1/keys/key_0000000000000000000000'),
      404,
      'key_not_found',
    );
    expectApiError(await fx.request('DELETE', '/v1/keys/not-a-key'), 404, 'key_not_found');
    expectApiError(
      await fx.request('POST', '/v1/keys', { body: { name: 'ci' } }),
      400,
      'invalid_request',
    );
    expect(await fx.count('api_keys')).toBe(before);
    const logged = JSON.stringify(fx.logs);
    expect(logged).not.toContain(apiKey);
    expect(logged).not.toContain(rotated.apiKey);
  });

  it("answers another app's runs, workflows, artifacts, documents and keys as not found", async () => {
    // runs-api, workflows-api and data-api check each of these in depth; here they are side by side.
    const started = await fx.request('POST', '/v1/workflows/run', {
      body: { workflowSlug: 'blank' },
    });
    const { runId } = started.body as { runId: string };
    const saved = await fx.request('POST', '/v1/workflows', {
      body: { slug: 'private-flow', definition },
    });
    expect([started.status, saved.status]).toEqual([202, 201]);
    const artifact = await fx.artifacts.put({
      appId: fx.appId,
      // JSON, because the fixture parses every answer it reads.
      bytes: Buffer.from('{"private":true}'),
      contentType: 'application/json',
    });
    const document = await fx.results.insert({
      appId: fx.appId,
      collection: 'private',
      document: { secret: true },
    });
    const [appKey] = await fx.apps.listKeys(fx.appId);

    const other = await fx.otherApp();
    const asOther = { headers: { 'x-api-key': other.apiKey } };
    const cases: [string, string, number, string][] = [
      ['GET', `/v1/workflows/runs/${runId}`, 200, 'run_not_found'],
      ['POST', `/v1/workflows/runs/${runId}/cancel`, 409, 'run_not_found'],
      ['GET', '/v1/workflows/private-flow', 200, 'workflow_not_found'],
      ['GET', '/v1/workflows/private-flow/versions/1', 200, 'workflow_not_found'],
      ['GET', `/v1/artifacts/${artifact.id}`, 200, 'artifact_not_found'],
      ['GET', `/v1/collections/private/documents/${document.id}`, 200, 'document_not_found'],
    ];
    for (const [method, path, ownerStatus, code] of cases) {
      // The owner finds it (cancel of a completed run is 409, not 404): it is there to be found.
      expect([path, (await fx.request(method, path)).status]).toEqual([path, ownerStatus]);
      expectApiError(await fx.request(method, path, asOther), 404, code);
    }
    expectApiError(
      await fx.request('DELETE', `/v1/keys/${appKey?.id ?? 'key_missing'}`, asOther),
      404,
      'key_not_found',
    );
    expect((await fx.request('GET', '/v1/keys')).status).toBe(200);

    const runsBefore = await fx.count('runs');
    expectApiError(
      await fx.request('POST', '/v1/workflows/run', {
        body: { workflowSlug: 'private-flow', input: { text: 'x' } },
        ...asOther,
      }),
      404,
      'workflow_not_found',
    );
    expect(await fx.count('runs')).toBe(runsBefore);

    const theirRuns = (await fx.request('GET', '/v1/workflows/runs', asOther)).body;
    const theirKeys = (await fx.request('GET', '/v1/keys', asOther)).body as { keys: KeyView[] };
    const theirDocuments = (await fx.request('GET', '/v1/collections/private/documents', asOther))
      .body;
    expect(theirRuns).toEqual({ runs: [], nextCursor: null });
    expect(theirKeys.keys.map((k) => k.id)).not.toContain(appKey?.id);
    expect(theirDocuments).toEqual({ documents: [] });
  });

  it('refuses a body over BODY_LIMIT_BYTES with 413, storing nothing', async () => {
    const collections = ['workflows', 'workflow_versions', 'definitions', 'runs'];
    const before = await Promise.all(collections.map((name) => fx.count(name)));
    const response = await fx.request('POST', '/v1/workflows', {
      body: {
        slug: 'too-big',
        definition: { ...definition, description: 'x'.repeat(1024 * 1024) },
      },
    });
    expect(expectApiError(response, 413, 'payload_too_large').details).toEqual({
      limitBytes: 1024 * 1024,
    });
    expect(await Promise.all(collections.map((name) => fx.count(name)))).toEqual(before);
  });

  it('never echoes an API key or a stack trace in an error', async () => {
    const wellFormed = `weft_zzzzzzzz_${'Q'.repeat(43)}`;
    const malformed = 'not-a-weft-key-but-secret-all-the-same';
    const answers: [string, Response][] = [];
    const send = async (name: string, path: string, init: RequestInit) => {
      answers.push([name, await fetch(`${fx.url}${path}`, init)]);
    };
    await send('unknown key', '/v1/workflows/runs', { headers: { 'x-api-key': wellFormed } });
    await send('malformed bearer', '/v1/workflows/runs', {
      headers: { authorization: `Bearer ${malformed}` },
    });
    await send('unknown key with a body', '/v1/workflows/run', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': wellFormed },
      body: JSON.stringify({ workflowSlug: 'blank' }),
    });
    const withKey = { 'content-type': 'application/json', 'x-api-key': fx.apiKey };
    await send('malformed JSON', '/v1/workflows/run', {
      method: 'POST',
      headers: withKey,
      body: '{"workflowSlug":',
    });
    await send('not JSON', '/v1/workflows/run', {
      method: 'POST',
      headers: { ...withKey, 'content-type': 'text/plain' },
      body: 'blank',
    });
    await send('no route', '/v1/nowhere', { headers: withKey });

    const statuses: [string, number][] = [];
    for (const [name, response] of answers) {
      const text = await response.text();
      statuses.push([name, response.status]);
      expect(text).not.toContain(wellFormed);
      expect(text).not.toContain(malformed);
      expect(text).not.toContain(fx.apiKey);
      expect(text).not.toMatch(STACK_TRACE);
      const parsed = { status: response.status, body: JSON.parse(text) as unknown };
      expect(Object.keys((parsed.body as { error: object }).error).sort()).toEqual([
        'code',
        'details',
        'message',
      ]);
    }
    expect(statuses).toEqual([
      ['unknown key', 401],
      ['malformed bearer', 401],
      ['unknown key with a body', 401],
      ['malformed JSON', 400],
      ['not JSON', 415],
      ['no route', 404],
    ]);
    const logged = JSON.stringify(fx.logs);
    expect(logged).not.toContain(wellFormed);
    expect(logged).not.toContain(malformed);
  });
});

describe('the per-key rate limit', () => {
  let fx: GatewayFixture;

  beforeAll(async () => {
    fx = await startGatewayFixture('gateway-rate-limit', { rateLimitPerMinute: 5 });
  });

  afterAll(async () => {
    await fx?.close();
  });

  const rateLimitOf = (response: GatewayResponse) => ({
    policy: response.headers.get('ratelimit-policy'),
    state: response.headers.get('ratelimit'),
  });

  it('counts down, then refuses with 429 and Retry-After, doing nothing; other keys are not held back', async () => {
    // 5 a minute earns one request back every 12 s: far longer than these requests take.
    const seen = [];
    for (let i = 0; i < 5; i++) {
      const response = await fx.request('GET', '/v1/workflows/runs?limit=1');
      expect(response.status).toBe(200);
      seen.push(rateLimitOf(response));
    }
    expect(seen).toEqual(
      [4, 3, 2, 1, 0].map((remaining) => ({
        policy: '5;w=60',
        state: expect.stringMatching(
          new RegExp(`^limit=5, remaining=${remaining}, reset=([1-9]|[1-5][0-9]|60)$`),
        ) as unknown,
      })),
    );

    const counted = ['runs', 'run_idempotency_keys'];
    const before = await Promise.all(counted.map((name) => fx.count(name)));
    const throttled = await fx.request('POST', '/v1/workflows/run', {
      body: { workflowSlug: 'blank' },
      headers: { 'idempotency-key': 'throttled-1' },
    });
    const error = expectApiError(throttled, 429, 'rate_limited');
    const retryAfter = Number(throttled.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(12);
    expect(error.details).toEqual({ limitPerMinute: 5, retryAfterSeconds: retryAfter });
    expect(rateLimitOf(throttled)).toEqual({
      policy: '5;w=60',
      state: expect.stringMatching(/^limit=5, remaining=0, reset=\d+$/) as unknown,
    });
    expect(await Promise.all(counted.map((name) => fx.count(name)))).toEqual(before);
    expectApiError(await fx.request('GET', '/v1/keys'), 429, 'rate_limited');

    // Another key, even of the same app, has a bucket of its own.
    const other = await fx.apps.createKey(fx.appId);
    const started = await fx.request('POST', '/v1/workflows/run', {
      body: { workflowSlug: 'blank' },
      headers: { 'x-api-key': other?.apiKey ?? '' },
    });
    expect(started.status).toBe(202);
    expect(rateLimitOf(started).state).toMatch(/^limit=5, remaining=4, reset=\d+$/);
    expect(await fx.count('runs')).toBe((before[0] ?? 0) + 1);
  });
});
