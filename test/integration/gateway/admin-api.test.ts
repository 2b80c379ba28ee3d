import { expectApiError, startGatewayFixture, type GatewayFixture } from './gateway-fixture';

const ADMIN_TOKEN = 'admin-'.padEnd(40, 'x');

describe('the admin API on a real database', () => {
  let fx: GatewayFixture;
  let off: GatewayFixture;

  /** A request with the admin token (or `token`) instead of an API key. */
  const admin = (
    method: string,
    path: string,
    options: { body?: unknown; token?: string | null } = {},
  ) =>
    fx.request(method, path, {
      ...(options.body === undefined ? {} : { body: options.body }),
      headers: {
        'x-api-key': '',
        ...(options.token === null
          ? {}
          : { authorization: `Bearer ${options.token ?? ADMIN_TOKEN}` }),
      },
    });

  beforeAll(async () => {
    fx = await startGatewayFixture('gateway-admin', {
      adminToken: ADMIN_TOKEN,
      authFailuresPerMinute: 3,
    });
    off = await startGatewayFixture('gateway-admin-off');
  });

  afterAll(async () => {
    await fx?.close();
    await off?.close();
  });

  it('creates an app whose key works at once, and lists every app', async () => {
    const created = await admin('POST', '/v1/admin/apps', { body: { name: 'Acme studio' } });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const body = created.body as {
      app: { id: string; name: string; createdAt: string };
      key: { id: string; prefix: string };
      apiKey: string;
      webhookSecret: string;
    };
    expect(body.app).toMatchObject({
      id: expect.stringMatching(/^app_/) as unknown,
      name: 'Acme studio',
    });
    expect(body.apiKey.slice(5, 13)).toBe(body.key.prefix);
    expect(body.webhookSecret).toMatch(/^whsec_/);
    const asApp = await fx.request('GET', '/v1/keys', { headers: { 'x-api-key': body.apiKey } });
    expect(asApp.status).toBe(200);
    expect((asApp.body as { keys: { id: string }[] }).keys.map((key) => key.id)).toEqual([
      body.key.id,
    ]);

    const listed = await admin('GET', '/v1/admin/apps');
    expect(listed.status).toBe(200);
    const apps = (listed.body as { apps: { id: string; name: string }[] }).apps;
    expect(apps.map((app) => app.id)).toEqual(expect.arrayContaining([fx.appId, body.app.id]));
    expect(JSON.stringify(listed.body)).not.toContain('whsec_');
  });

  it("creates, lists and revokes any app's keys", async () => {
    const keys = `/v1/admin/apps/${fx.appId}/keys`;
    const created = await admin('POST', keys);
    expect(created.status).toBe(201);
    const { key, apiKey } = created.body as { key: { id: string }; apiKey: string };
    expect((await fx.request('GET', '/v1/keys', { headers: { 'x-api-key': apiKey } })).status).toBe(
      200,
    );

    const listed = await admin('GET', keys);
    expect((listed.body as { keys: { id: string }[] }).keys.map((k) => k.id)).toContain(key.id);

    const revoked = await admin('DELETE', `${keys}/${key.id}`);
    expect(revoked.status).toBe(200);
    expect((revoked.body as { key: { revokedAt?: string } }).key.revokedAt).toEqual(
      expect.any(String),
    );
    expectApiError(
      await fx.request('GET', '/v1/keys', { headers: { 'x-api-key': apiKey } }),
      401,
      'invalid_api_key',
    );
    expectApiError(await admin('DELETE', `${keys}/key_${'0'.repeat(22)}`), 404, 'key_not_found');
  });

  it('answers unknown apps and bad names with clear errors, storing nothing', async () => {
    const apps = await fx.count('apps');
    expectApiError(
      await admin('GET', `/v1/admin/apps/app_${'0'.repeat(22)}/keys`),
      404,
      'app_not_found',
    );
    expectApiError(await admin('POST', '/v1/admin/apps/nope/keys'), 404, 'app_not_found');
    expectApiError(await admin('POST', '/v1/admin/apps', { body: {} }), 400, 'invalid_request');
    expectApiError(
      await admin('POST', '/v1/admin/apps', { body: { name: '   ' } }),
      400,
      'invalid_request',
    );
    expectApiError(
      await admin('POST', '/v1/admin/apps', { body: { name: 'a\u202eb' } }),
      400,
      'invalid_request',
    );
    expectApiError(
      await admin('POST', '/v1/admin/apps', { body: { name: 'x', plan: 'gold' } }),
      400,
      'invalid_request',
    );
    expect(await fx.count('apps')).toBe(apps);
  });

  it('takes the admin token only: no API key, no wrong token, throttled like keys', async () => {
    expectApiError(
      await admin('GET', '/v1/admin/apps', { token: null }),
      401,
      'missing_admin_token',
    );
    const withKey = await fx.request('GET', '/v1/admin/apps');
    expectApiError(withKey, 401, 'missing_admin_token');
    const keyAsToken = await admin('GET', '/v1/admin/apps', { token: fx.apiKey });
    expectApiError(keyAsToken, 401, 'invalid_admin_token');
    expect(keyAsToken.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    await admin('GET', '/v1/admin/apps', { token: 'wrong' });
    await admin('GET', '/v1/admin/apps', { token: 'wrong again' });
    const throttled = await admin('GET', '/v1/admin/apps');
    expectApiError(throttled, 429, 'too_many_auth_failures');
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('does not exist without ADMIN_TOKEN', async () => {
    const response = await off.request('GET', '/v1/admin/apps', {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const error = expectApiError(response, 404, 'not_found');
    expect(error.details).toEqual({ method: 'GET', path: '/v1/admin/apps' });
  });
});
