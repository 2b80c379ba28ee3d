import { expectApiError, startGatewayFixture, type GatewayFixture } from './gateway-fixture';

describe('webhook endpoints over the API', () => {
  let fx: GatewayFixture;

  beforeAll(async () => {
    fx = await startGatewayFixture('gateway-webhooks');
  });

  afterAll(async () => {
    await fx?.close();
  });

  it('creates, lists, changes, rotates and deletes an endpoint; its secret is shown only when made', async () => {
    const created = await fx.request('POST', '/v1/webhooks', {
      body: { url: 'https://hooks.example.com/weft', events: ['run.completed', 'run.failed'] },
    });
    expect(created.status).toBe(201);
    const { webhook, secret } = created.body as { webhook: { id: string }; secret: string };
    expect(secret).toMatch(/^whsec_/);
    expect(created.headers.get('cache-control')).toBe('no-store');
    expect(webhook).toMatchObject({
      url: 'https://hooks.example.com/weft',
      events: ['run.completed', 'run.failed'],
      enabled: true,
    });

    const listed = await fx.request('GET', '/v1/webhooks');
    expect(listed.body).toEqual({ webhooks: [webhook] });
    expect(JSON.stringify(listed.body)).not.toContain(secret);

    const changed = await fx.request('PATCH', `/v1/webhooks/${webhook.id}`, {
      body: { events: ['run.timed_out'], enabled: false },
    });
    expect(changed.body).toMatchObject({
      webhook: { events: ['run.timed_out'], enabled: false, disabledReason: 'disabled' },
    });
    const enabled = await fx.request('PATCH', `/v1/webhooks/${webhook.id}`, {
      body: { enabled: true },
    });
    expect(enabled.body).toMatchObject({ webhook: { enabled: true } });

    const rotated = await fx.request('POST', `/v1/webhooks/${webhook.id}/rotate-secret`);
    expect((rotated.body as { secret: string }).secret).not.toBe(secret);

    expect((await fx.request('GET', `/v1/webhooks/${webhook.id}/deliveries`)).body).toEqual({
      deliveries: [],
    });
    expect((await fx.request('DELETE', `/v1/webhooks/${webhook.id}`)).status).toBe(204);
    expectApiError(await fx.request('GET', `/v1/webhooks/${webhook.id}`), 404, 'webhook_not_found');
  });

  it.each([
    'http://127.0.0.1/hook',
    'http://10.0.0.1/hook',
    'http://169.254.169.254/latest/meta-data',
    'http://[::1]/hook',
    'http://2130706433/hook',
    'file:///etc/passwd',
    'https://user:pass@hooks.example.com/',
  ])('refuses %s, storing nothing', async (url) => {
    const before = await fx.count('webhook_endpoints');
    const refused = expectApiError(
      await fx.request('POST', '/v1/webhooks', { body: { url } }),
      422,
      'invalid_webhook_url',
    );
    expect(refused.message).not.toContain('pass@');
    expect(await fx.count('webhook_endpoints')).toBe(before);
  });

  it('refuses malformed bodies and event names', async () => {
    for (const body of [
      {},
      { url: 'https://hooks.example.com', events: ['Run Completed'] },
      { url: 'https://hooks.example.com', extra: 1 },
      { url: 'https://hooks.example.com', events: 'run.completed' },
    ]) {
      expectApiError(await fx.request('POST', '/v1/webhooks', { body }), 400, 'invalid_request');
    }
    expectApiError(
      await fx.request('PATCH', '/v1/webhooks/wh_0000000000000000000000', { body: {} }),
      400,
      'invalid_request',
    );
  });

  it("keeps another app's endpoints and deliveries out of reach", async () => {
    const created = await fx.request('POST', '/v1/webhooks', {
      body: { url: 'https://hooks.example.com/a' },
    });
    const id = (created.body as { webhook: { id: string } }).webhook.id;
    const other = await fx.otherApp();
    const asOther = { headers: { 'x-api-key': other.apiKey } };
    expectApiError(
      await fx.request('GET', `/v1/webhooks/${id}`, asOther),
      404,
      'webhook_not_found',
    );
    expectApiError(
      await fx.request('GET', `/v1/webhooks/${id}/deliveries`, asOther),
      404,
      'webhook_not_found',
    );
    expectApiError(
      await fx.request('POST', `/v1/webhooks/${id}/rotate-secret`, asOther),
      404,
      'webhook_not_found',
    );
    expectApiError(
      await fx.request('DELETE', `/v1/webhooks/${id}`, asOther),
      404,
      'webhook_not_found',
    );
    expect((await fx.request('GET', '/v1/webhooks', asOther)).body).toEqual({ webhooks: [] });
    expect((await fx.request('GET', `/v1/webhooks/${id}`)).status).toBe(200);
  });
});
