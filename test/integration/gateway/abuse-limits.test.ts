import { connect } from 'node:net';
import { expectApiError, startGatewayFixture, type GatewayFixture } from './gateway-fixture';

/** Sends `request` as raw bytes and reads the whole answer: for what fetch will not send. */
function rawExchange(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

/** Status, headers and JSON body of a raw HTTP/1.1 answer. */
function parseAnswer(answer: string): {
  status: number;
  headers: Record<string, string>;
  body: unknown;
} {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) as unknown };
}

/** The series in a Prometheus exposition: its lines that are not comments. */
function seriesOf(exposition: string): string[] {
  return exposition.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
}

describe('limits against abuse, on a real broker and database', () => {
  describe('metrics', () => {
    let fx: GatewayFixture;
    beforeAll(async () => {
      fx = await startGatewayFixture('abuse-metrics', {
        metrics: true,
        metricsToken: 'scrape-s3cret',
        rateLimitPerMinute: 0,
      });
    });
    afterAll(() => fx?.close());

    const scrape = async () => {
      const response = await fetch(`${fx.url}/metrics`, {
        headers: { authorization: 'Bearer scrape-s3cret' },
      });
      expect(response.status).toBe(200);
      return response.text();
    };

    /** One request of each kind whose path carries a caller's names. */
    const named = async (name: string, casing: (path: string) => string = (path) => path) => {
      const statuses = await Promise.all([
        fx.request('GET', casing(`/v1/workflows/${name}`)),
        fx.request('GET', casing(`/v1/workflows/${name}/versions/1`)),
        fx.request('GET', `/v1/collections/${name}/documents`),
        fx.request('PUT', `/v1/indexes/${name}/items/${name}-item`, {
          body: { vector: [1, 0] },
        }),
      ]);
      return statuses.map((response) => response.status);
    };

    it('labels requests by route pattern: 1,000 names add no series and show no name', async () => {
      expect(await named('warm-up')).toEqual([404, 404, 200, 200]);
      await named('warm-up-cased', (path) => path.toUpperCase().replace('/V1/', '/v1/'));
      // Scrapes are counted too: the second shows the first.
      await scrape();
      const before = seriesOf(await scrape());

      for (let batch = 0; batch < 1_000; batch += 50) {
        await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            named(`tenant-secret-${batch + i}`, (path) =>
              i % 2 === 0 ? path : path.replace('/v1/workflows', '/V1/Workflows'),
            ),
          ),
        );
      }

      const after = await scrape();
      expect(after).not.toContain('tenant-secret');
      const routes = new Set(
        seriesOf(after)
          .map((line) => /route="([^"]*)"/.exec(line)?.[1])
          .filter((route) => route !== undefined),
      );
      expect([...routes].sort()).toEqual(
        [
          '/metrics',
          '/v1/collections/:name/documents',
          '/v1/indexes/:index/items/:id',
          '/v1/workflows/:slug',
          '/v1/workflows/:slug/versions/:version',
        ].sort(),
      );
      // The same series as before the thousand names; only their values moved.
      const names = (series: string[]) => series.map((line) => line.replace(/ [^ ]+$/, ''));
      expect(names(seriesOf(after))).toEqual(names(before));
    });

    it('answers /metrics only with METRICS_TOKEN', async () => {
      const without = await fx.request('GET', '/metrics');
      expectApiError(without, 401, 'invalid_metrics_token');
      expect(without.headers.get('www-authenticate')).toBe('Bearer');
      expectApiError(
        await fx.request('GET', '/metrics', { headers: { authorization: 'Bearer scrape-s3cre' } }),
        401,
        'invalid_metrics_token',
      );
      expect(await scrape()).toContain('weft_http_requests_total');
    });
  });

  describe('authentication', () => {
    let fx: GatewayFixture;
    beforeAll(async () => {
      fx = await startGatewayFixture('abuse-auth', {
        authFailuresPerMinute: 5,
        maxKeysPerApp: 3,
        trustProxy: 'loopback',
      });
    });
    afterAll(() => fx?.close());

    const wrongKey = `weft_abcdefgh_${'x'.repeat(43)}`;
    const from = (address: string, key: string) => ({
      headers: { 'x-api-key': key, 'x-forwarded-for': address },
    });

    it('refuses an address whose keys keep failing, unread, while others go on', async () => {
      const findsBefore = fx.commands.get('find') ?? 0;
      for (let i = 0; i < 5; i++) {
        expectApiError(
          await fx.request('GET', '/v1/keys', from('203.0.113.7', wrongKey)),
          401,
          'invalid_api_key',
        );
      }
      // Requests without a key cost nothing and are not counted.
      expectApiError(
        await fx.request('GET', '/v1/keys', {
          headers: { 'x-api-key': '', 'x-forwarded-for': '203.0.113.7' },
        }),
        401,
        'missing_api_key',
      );
      const findsAtLimit = fx.commands.get('find') ?? 0;
      expect(findsAtLimit - findsBefore).toBe(5);

      const refused = await fx.request('GET', '/v1/keys', from('203.0.113.7', wrongKey));
      const error = expectApiError(refused, 429, 'too_many_auth_failures');
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(error.details).toEqual({ limitPerMinute: 5, retryAfterSeconds: retryAfter });
      // Refused unread: not even a good key is looked up from there until it earns a try back.
      expectApiError(
        await fx.request('GET', '/v1/keys', from('203.0.113.7', fx.apiKey)),
        429,
        'too_many_auth_failures',
      );
      expect((fx.commands.get('find') ?? 0) - findsAtLimit).toBe(0);

      // Other addresses are not held back.
      expect((await fx.request('GET', '/v1/keys', from('198.51.100.1', fx.apiKey))).status).toBe(
        200,
      );
      expectApiError(
        await fx.request('GET', '/v1/keys', from('198.51.100.1', wrongKey)),
        401,
        'invalid_api_key',
      );
    });

    it('caps the working keys an app may mint, never past the cap even when racing', async () => {
      const address = from('198.51.100.2', fx.apiKey);
      const minted = await Promise.all(
        Array.from({ length: 6 }, () => fx.request('POST', '/v1/keys', address)),
      );
      const created = minted.filter((response) => response.status === 201);
      for (const response of minted.filter((each) => each.status !== 201)) {
        expect(expectApiError(response, 409, 'key_limit_reached').details).toEqual({ limit: 3 });
      }
      // The app's first key, and the two earliest of the six.
      expect(created).toHaveLength(2);
      const working = async () =>
        (await fx.apps.listKeys(fx.appId)).filter((key) => key.revokedAt === undefined).length;
      expect(await working()).toBe(1 + created.length);

      while ((await working()) < 3) {
        expect((await fx.request('POST', '/v1/keys', address)).status).toBe(201);
      }
      expectApiError(await fx.request('POST', '/v1/keys', address), 409, 'key_limit_reached');
      // Revoking one makes room for one.
      const { key } = created[0]?.body as { key: { id: string } };
      expect((await fx.request('DELETE', `/v1/keys/${key.id}`, address)).status).toBe(200);
      expect((await fx.request('POST', '/v1/keys', address)).status).toBe(201);
      expect(await working()).toBe(3);
    });
  });

  describe('the HTTP layer and stored names', () => {
    let fx: GatewayFixture;
    beforeAll(async () => {
      fx = await startGatewayFixture('abuse-http');
    });
    afterAll(() => fx?.close());

    it('answers header errors with the structured error, not an empty body', async () => {
      const badHeader = parseAnswer(
        await rawExchange(
          fx.url,
          `GET /v1/keys HTTP/1.1\r\nHost: x\r\nX-Api-Key: a\u0001b\r\n\r\n`,
        ),
      );
      expect(badHeader.status).toBe(400);
      expect(badHeader.headers['content-type']).toMatch(/^application\/json/);
      expect(badHeader.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(badHeader.body).toEqual({
        error: {
          code: 'invalid_request',
          message: expect.any(String) as unknown,
          details: { issues: [{ path: 'headers', message: 'is not valid HTTP/1.1' }] },
        },
      });

      const huge = parseAnswer(
        await rawExchange(
          fx.url,
          `GET /v1/keys HTTP/1.1\r\nHost: x\r\nX-Padding: ${'p'.repeat(20_000)}\r\n\r\n`,
        ),
      );
      expect(huge.status).toBe(431);
      expect(huge.body).toEqual({
        error: { code: 'headers_too_large', message: expect.any(String) as unknown, details: {} },
      });
    });

    it('says no-store on every answer behind a key, except immutable artifact bytes', async () => {
      const started = await fx.request('POST', '/v1/workflows/run', {
        body: { workflowSlug: 'blank' },
      });
      const { runId } = started.body as { runId: string };
      const artifact = await fx.artifacts.put({
        appId: fx.appId,
        bytes: Buffer.from('{"a":1}'),
        contentType: 'application/json',
      });
      for (const path of [
        `/v1/workflows/runs/${runId}`,
        '/v1/workflows/runs',
        `/v1/workflows/runs/${runId}/deliveries`,
        `/api/workflow-executions/${runId}`,
        '/v1/workflows',
        '/v1/keys',
        '/v1/workflows/runs/run_missing',
      ]) {
        const response = await fx.request('GET', path);
        expect([path, response.headers.get('cache-control')]).toEqual([path, 'no-store']);
      }
      expect(started.headers.get('cache-control')).toBe('no-store');
      const bytes = await fx.request('GET', `/v1/artifacts/${artifact.id}`);
      expect(bytes.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
      await fx.request('POST', `/v1/workflows/runs/${runId}/cancel`);
    });

    it.each([
      ['NUL', 'Flow\u0000name'],
      ['ESC', 'Flow \u001b[2Jname'],
      ['RIGHT-TO-LEFT OVERRIDE', 'Invoice \u202Efdp.exe'],
    ])('refuses %s in a workflow name or description, storing nothing', async (_what, name) => {
      const before = await fx.count('workflows');
      const named = await fx.request('POST', '/v1/workflows', {
        body: {
          slug: 'named',
          definition: {
            name,
            steps: [{ id: 'shape', type: 'core/transform', input: { value: 'x' } }],
          },
        },
      });
      const error = expectApiError(named, 422, 'invalid_definition');
      expect(JSON.stringify(error.details)).toContain('control characters');
      const described = await fx.request('POST', '/v1/workflows', {
        body: {
          slug: 'described',
          definition: {
            name: 'Fine',
            description: name,
            steps: [{ id: 'shape', type: 'core/transform', input: { value: 'x' } }],
          },
        },
      });
      expectApiError(described, 422, 'invalid_definition');
      const hooked = await fx.request('POST', '/v1/webhooks', {
        body: { url: 'https://hooks.example.com/weft', description: name },
      });
      const issues = expectApiError(hooked, 400, 'invalid_request').details.issues as unknown[];
      expect(issues).toEqual([
        { path: '/description', message: expect.stringContaining('control characters') as unknown },
      ]);
      expect(await fx.count('workflows')).toBe(before);
      expect(await fx.count('webhook_endpoints')).toBe(0);
      // A description may still run over lines.
      const multiline = await fx.request('POST', '/v1/workflows', {
        body: {
          slug: `lines-${name.charCodeAt(4)}`,
          definition: {
            name: 'Fine',
            description: 'one\n\ttwo',
            steps: [{ id: 'shape', type: 'core/transform', input: { value: 'x' } }],
          },
        },
      });
      expect(multiline.status).toBe(201);
    });

    it('refuses an app name with control characters', async () => {
      await expect(fx.apps.createApp('Acme\u202E')).rejects.toThrow(/control characters/);
      await expect(fx.apps.createApp('Acme\u0007')).rejects.toThrow(/control characters/);
    });
  });
});
