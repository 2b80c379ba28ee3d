import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@weft/observability';
import { createGatewayApp } from './app';
import { edgeOnlyDeps, TEST_API_KEY } from './testing/fake-deps';

const KEY = TEST_API_KEY;

function unused(): never {
  throw new Error('not used by this test');
}

describe('the gateway app (HTTP edges)', () => {
  let server: Server;
  let url: string;
  const lines: Record<string, unknown>[] = [];
  const runs = {
    get: unused,
    versionOf: unused,
    reread: unused,
    list: unused,
  };

  beforeAll(async () => {
    const deps = edgeOnlyDeps({
      runs,
      logger: createLogger('gateway', {
        write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
      }),
      bodyLimitBytes: 4096,
    });
    server = createGatewayApp(deps).listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.close();
    await once(server, 'close');
  });

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(url + path, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'x-api-key': KEY, ...headers },
    });

  async function expectError(response: Response, status: number, code: string) {
    expect(response.status).toBe(status);
    const body = (await response.json()) as { error: Record<string, unknown> };
    expect(body.error).toEqual({
      code,
      message: expect.any(String) as unknown,
      details: expect.any(Object) as unknown,
    });
    return body.error;
  }

  it('answers /healthz without a key, with helmet headers', async () => {
    const response = await fetch(`${url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown routes with not_found', async () => {
    await expectError(await fetch(`${url}/nowhere`), 404, 'not_found');
    await expectError(
      await fetch(`${url}/v1/nowhere`, { headers: { 'x-api-key': KEY } }),
      404,
      'not_found',
    );
  });

  it('needs a valid key on /v1, in either header', async () => {
    const missing = await fetch(`${url}/v1/workflows/runs/run_1`);
    await expectError(missing, 401, 'missing_api_key');
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    const bearer = { authorization: `Bearer ${KEY}x` };
    await expectError(
      await fetch(`${url}/v1/workflows`, { headers: bearer }),
      401,
      'invalid_api_key',
    );
  });

  it('refuses malformed JSON, non-JSON bodies and bodies over the limit', async () => {
    await expectError(await post('/v1/workflows/run', '{"workflowSlug": '), 400, 'malformed_json');
    await expectError(await post('/v1/workflows/run', '"text"'), 400, 'malformed_json');
    await expectError(
      await post('/v1/workflows/run', 'slug=x', {
        'content-type': 'application/x-www-form-urlencoded',
      }),
      415,
      'unsupported_media_type',
    );
    const big = JSON.stringify({ workflowSlug: 'x', input: { text: 'x'.repeat(5000) } });
    const error = await expectError(await post('/v1/workflows/run', big), 413, 'payload_too_large');
    expect(error.details).toEqual({ limitBytes: 4096 });
  });

  it('lists every problem with a body, and refuses another app id', async () => {
    const error = await expectError(
      await post(
        '/v1/workflows/run',
        JSON.stringify({ workflowSlug: 'Bad Slug', extra: 1, version: 0 }),
      ),
      400,
      'invalid_request',
    );
    expect(error.details).toEqual({
      issues: expect.arrayContaining([
        { path: '/extra', message: 'unknown property "extra"' },
        { path: '/workflowSlug', message: expect.stringContaining('lowercase') as unknown },
        { path: '/version', message: expect.any(String) as unknown },
      ]) as unknown,
    });
    await expectError(await post('/v1/workflows/run', '{}'), 400, 'invalid_request');
    await expectError(
      await post('/v1/workflows/run', JSON.stringify({ appId: 'app_2', workflowSlug: 'x' })),
      403,
      'app_mismatch',
    );
    await expectError(
      await post('/v1/workflows/run', JSON.stringify({ workflowSlug: 'x' }), {
        'idempotency-key': 'k'.repeat(201),
      }),
      400,
      'invalid_request',
    );
  });

  it('checks list parameters', async () => {
    const get = (query: string) =>
      fetch(`${url}/v1/workflows/runs?${query}`, { headers: { 'x-api-key': KEY } });
    await expectError(await get('limit=101'), 400, 'invalid_request');
    await expectError(await get('limit=0'), 400, 'invalid_request');
    await expectError(await get('status=done'), 400, 'invalid_request');
    await expectError(await get('status=running&status=failed'), 400, 'invalid_request');
    await expectError(await get('colour=red'), 400, 'invalid_request');
  });

  it('answers unexpected failures with internal_error and logs them, never leaking them', async () => {
    runs.get = () => {
      throw new Error('secret connection string mongodb://user:pw@db');
    };
    const response = await fetch(`${url}/v1/workflows/runs/run_abc`, {
      headers: { 'x-api-key': KEY },
    });
    const text = await response.text();
    expect(response.status).toBe(500);
    expect(text).not.toMatch(/secret|mongodb|at .*\.ts/);
    const body = JSON.parse(text) as { error: { code: string; details: { requestId: string } } };
    expect(body.error.code).toBe('internal_error');
    expect(body.error.details.requestId).toBe(response.headers.get('x-request-id'));
    const logged = lines.find((line) => line.msg === 'request failed');
    expect(logged).toMatchObject({ level: 'error', requestId: body.error.details.requestId });
    expect(String(logged?.error)).toContain('secret connection string');
    expect(JSON.stringify(lines)).not.toContain(KEY);
  });
});
