import {
  sendError,
  sendJson,
  startLocalServer,
  type LocalServer,
  type ReceivedRequest,
} from './testing/local-server';
import { WeftApiError } from './errors';
import { WeftClient } from './weft-client';

let server: LocalServer;

beforeAll(async () => {
  server = await startLocalServer();
});

afterAll(() => server.close());

beforeEach(() => {
  server.requests.length = 0;
  server.respond((_request, response) => sendJson(response, 200, {}));
});

function client(overrides: ConstructorParameters<typeof WeftClient>[0] = {}): WeftClient {
  return new WeftClient({
    url: server.url,
    apiKey: 'weft_abcdefgh_secret',
    retries: 0,
    ...overrides,
  });
}

function only(): ReceivedRequest {
  expect(server.requests).toHaveLength(1);
  return server.requests[0] as ReceivedRequest;
}

const RUN = {
  runId: 'run_1',
  status: 'completed',
  workflow: { slug: 'demo', version: 1, ephemeral: false, name: 'Demo' },
  input: {},
  nodes: {},
  outputs: {},
  error: null,
  createdAt: '2025-01-01T00:00:00.000Z',
  startedAt: null,
  finishedAt: null,
  durationMs: null,
  statusUrl: 'http://x/v1/workflows/runs/run_1',
};

describe('WeftClient configuration', () => {
  const saved = { url: process.env.WEFT_URL, key: process.env.WEFT_API_KEY };
  afterEach(() => {
    if (saved.url === undefined) delete process.env.WEFT_URL;
    else process.env.WEFT_URL = saved.url;
    if (saved.key === undefined) delete process.env.WEFT_API_KEY;
    else process.env.WEFT_API_KEY = saved.key;
  });

  it('reads WEFT_URL and WEFT_API_KEY when not given, and sends the key and a User-Agent', async () => {
    process.env.WEFT_URL = `${server.url}/`;
    process.env.WEFT_API_KEY = 'weft_fromenv_x';
    const fromEnv = new WeftClient({ retries: 0 });
    expect(fromEnv.url).toBe(server.url);
    await fromEnv.keys.list().catch(() => undefined);
    expect(only().headers).toMatchObject({
      'x-api-key': 'weft_fromenv_x',
      'user-agent': 'weft-client/0.1.0',
      accept: 'application/json',
    });
  });

  it('defaults to the local gateway, and options win over the environment', () => {
    delete process.env.WEFT_URL;
    expect(new WeftClient().url).toBe('http://127.0.0.1:8080');
    process.env.WEFT_URL = 'http://elsewhere:1';
    expect(new WeftClient({ url: 'http://here:2' }).url).toBe('http://here:2');
  });

  it('sends no key when it has none, and a custom User-Agent when asked', async () => {
    delete process.env.WEFT_API_KEY;
    const anonymous = new WeftClient({ url: server.url, userAgent: 'my-app/1' });
    expect(anonymous.hasApiKey).toBe(false);
    await anonymous.keys.list().catch(() => undefined);
    expect(only().headers['x-api-key']).toBeUndefined();
    expect(only().headers['user-agent']).toBe('my-app/1');
  });
});

describe('runs', () => {
  it('starts a run by slug with an automatic idempotency key', async () => {
    server.respond((_request, response) =>
      sendJson(response, 202, { runId: 'run_1', status: 'pending', statusUrl: 'http://x/run_1' }),
    );
    const started = await client().runs.start({
      workflowSlug: 'image-generate-v1',
      input: { prompt: 'a sunset' },
      webhookUrl: 'https://hooks.example/weft',
    });
    const request = only();
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/v1/workflows/run');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.json).toEqual({
      workflowSlug: 'image-generate-v1',
      input: { prompt: 'a sunset' },
      webhookUrl: 'https://hooks.example/weft',
    });
    const key = request.headers['idempotency-key'] as string;
    expect(key).toMatch(/^weft-client-[0-9a-f-]{36}$/);
    expect(started).toEqual({
      runId: 'run_1',
      status: 'pending',
      statusUrl: 'http://x/run_1',
      idempotencyKey: key,
    });
  });

  it('starts by workflowId or plan, with the caller’s idempotency key', async () => {
    await client().runs.start({ workflowId: 'wf_1', version: 2, idempotencyKey: 'mine-1' });
    await client().runs.start({ plan: { name: 'p', dag: { nodes: {}, edges: [] } } });
    expect(server.requests[0]?.json).toEqual({ workflowId: 'wf_1', version: 2 });
    expect(server.requests[0]?.headers['idempotency-key']).toBe('mine-1');
    expect(server.requests[1]?.json).toEqual({
      plan: { name: 'p', dag: { nodes: {}, edges: [] } },
    });
    expect(server.requests[1]?.headers['idempotency-key']).not.toBe('mine-1');
  });

  it('gets, cancels, resumes and lists deliveries with encoded ids', async () => {
    server.respond((request, response) =>
      request.url.endsWith('/deliveries')
        ? sendJson(response, 200, { deliveries: [{ id: 'whd_1' }] })
        : sendJson(response, 200, RUN),
    );
    const weft = client();
    expect(await weft.runs.get('run_1')).toEqual(RUN);
    await weft.runs.cancel('run_1');
    await weft.runs.resume('run/../x');
    expect(await weft.runs.deliveries('run_1')).toEqual([{ id: 'whd_1' }]);
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /v1/workflows/runs/run_1',
      'POST /v1/workflows/runs/run_1/cancel',
      'POST /v1/workflows/runs/run%2F..%2Fx/resume',
      'GET /v1/workflows/runs/run_1/deliveries',
    ]);
  });

  it('lists with filters, and iterates every page', async () => {
    server.respond((request, response) => {
      const cursor = new URL(request.url, server.url).searchParams.get('cursor');
      sendJson(
        response,
        200,
        cursor === null
          ? { runs: [{ runId: 'run_3' }, { runId: 'run_2' }], nextCursor: 'run_2' }
          : { runs: [{ runId: 'run_1' }], nextCursor: null },
      );
    });
    const weft = client();
    await weft.runs.list({ status: 'failed', slug: 'demo', limit: 5 });
    expect(only().url).toBe('/v1/workflows/runs?status=failed&slug=demo&limit=5');
    server.requests.length = 0;
    const ids: string[] = [];
    for await (const run of weft.runs.listAll({ limit: 2 })) ids.push(run.runId);
    expect(ids).toEqual(['run_3', 'run_2', 'run_1']);
    expect(server.requests.map((r) => r.url)).toEqual([
      '/v1/workflows/runs?limit=2',
      '/v1/workflows/runs?limit=2&cursor=run_2',
    ]);
  });
});

describe('every other route', () => {
  type Call = [string, (weft: WeftClient) => Promise<unknown>, string, unknown?];
  const calls: Call[] = [
    [
      'workflows.save',
      (w) => w.workflows.save({ slug: 's', definition: { name: 'n' } }),
      'POST /v1/workflows',
      { slug: 's', definition: { name: 'n' } },
    ],
    ['workflows.list', (w) => w.workflows.list(), 'GET /v1/workflows'],
    ['workflows.get', (w) => w.workflows.get('s'), 'GET /v1/workflows/s'],
    ['workflows.versions', (w) => w.workflows.versions('s'), 'GET /v1/workflows/s/versions'],
    ['workflows.version', (w) => w.workflows.version('s', 3), 'GET /v1/workflows/s/versions/3'],
    [
      'collections.list',
      (w) => w.collections.list('images', { limit: 2, cursor: 'res_x' }),
      'GET /v1/collections/images/documents?limit=2&cursor=res_x',
    ],
    [
      'collections.get',
      (w) => w.collections.get('images', 'res_1'),
      'GET /v1/collections/images/documents/res_1',
    ],
    [
      'indexes.upsert',
      (w) => w.indexes.upsert('ix', 'a', { vector: [1, 0] }),
      'PUT /v1/indexes/ix/items/a',
      { vector: [1, 0] },
    ],
    [
      'indexes.search',
      (w) => w.indexes.search('ix', { vector: [1, 0], top_k: 2 }),
      'POST /v1/indexes/ix/search',
      { vector: [1, 0], top_k: 2 },
    ],
    ['keys.list', (w) => w.keys.list(), 'GET /v1/keys'],
    ['keys.create', (w) => w.keys.create(), 'POST /v1/keys', {}],
    ['keys.revoke', (w) => w.keys.revoke('key_1'), 'DELETE /v1/keys/key_1'],
    [
      'webhooks.create',
      (w) => w.webhooks.create({ url: 'https://h/x', events: ['run.completed'] }),
      'POST /v1/webhooks',
      { url: 'https://h/x', events: ['run.completed'] },
    ],
    ['webhooks.list', (w) => w.webhooks.list(), 'GET /v1/webhooks'],
    ['webhooks.get', (w) => w.webhooks.get('wh_1'), 'GET /v1/webhooks/wh_1'],
    [
      'webhooks.update',
      (w) => w.webhooks.update('wh_1', { enabled: true }),
      'PATCH /v1/webhooks/wh_1',
      { enabled: true },
    ],
    ['webhooks.delete', (w) => w.webhooks.delete('wh_1'), 'DELETE /v1/webhooks/wh_1'],
    [
      'webhooks.rotateSecret',
      (w) => w.webhooks.rotateSecret('wh_1'),
      'POST /v1/webhooks/wh_1/rotate-secret',
    ],
    [
      'webhooks.deliveries',
      (w) => w.webhooks.deliveries('wh_1'),
      'GET /v1/webhooks/wh_1/deliveries',
    ],
    ['webhooks.delivery', (w) => w.webhooks.delivery('whd_1'), 'GET /v1/webhooks/deliveries/whd_1'],
    [
      'webhooks.resend',
      (w) => w.webhooks.resend('whd_1'),
      'POST /v1/webhooks/deliveries/whd_1/resend',
    ],
    [
      'api.createWorkflow',
      (w) => w.api.createWorkflow({ name: 'n', dag: { nodes: {}, edges: [] } }),
      'POST /api/workflows',
      { name: 'n', dag: { nodes: {}, edges: [] } },
    ],
    ['api.listWorkflows', (w) => w.api.listWorkflows(), 'GET /api/workflows'],
    ['api.getWorkflow', (w) => w.api.getWorkflow('wf_1'), 'GET /api/workflows/wf_1'],
    [
      'api.updateWorkflow',
      (w) => w.api.updateWorkflow('wf_1', { name: 'm' }),
      'PUT /api/workflows/wf_1',
      { name: 'm' },
    ],
    ['api.deleteWorkflow', (w) => w.api.deleteWorkflow('wf_1'), 'DELETE /api/workflows/wf_1'],
    [
      'api.executeWorkflow',
      (w) => w.api.executeWorkflow('wf_1', { prompt: 'x' }),
      'POST /api/workflows/wf_1/execute',
      { input_params: { prompt: 'x' } },
    ],
    ['api.getExecution', (w) => w.api.getExecution('run_1'), 'GET /api/workflow-executions/run_1'],
    [
      'api.listExecutions',
      (w) => w.api.listExecutions('wf_1', { limit: 10 }),
      'GET /api/workflows/wf_1/executions?limit=10',
    ],
    [
      'api.cancelExecution',
      (w) => w.api.cancelExecution('run_1'),
      'POST /api/workflow-executions/run_1/cancel',
    ],
  ];

  // A rest parameter: with a fourth named one, Jest would take it for a `done` callback.
  it.each(calls)('%s sends the route', async (...[, call, route, body]: Call) => {
    await call(client());
    const request = only();
    expect(`${request.method} ${request.url}`).toBe(route);
    expect(request.json).toEqual(body);
    expect(request.headers['x-api-key']).toBe('weft_abcdefgh_secret');
  });

  it('unwraps single-field answers', async () => {
    const answers: Record<string, unknown> = {
      '/v1/workflows': { workflows: [{ slug: 'a' }] },
      '/v1/workflows/a': { workflow: { slug: 'a', definition: {} } },
      '/v1/keys': { keys: [{ id: 'key_1' }] },
      '/v1/webhooks/wh_1': { webhook: { id: 'wh_1' } },
      '/api/workflow-executions/run_1': { execution: { id: 'run_1' } },
    };
    server.respond((request, response) => sendJson(response, 200, answers[request.url]));
    const weft = client();
    expect(await weft.workflows.list()).toEqual([{ slug: 'a' }]);
    expect(await weft.workflows.get('a')).toEqual({ slug: 'a', definition: {} });
    expect(await weft.keys.list()).toEqual([{ id: 'key_1' }]);
    expect(await weft.webhooks.get('wh_1')).toEqual({ id: 'wh_1' });
    expect(await weft.api.getExecution('run_1')).toEqual({ id: 'run_1' });
  });
});

describe('artifacts', () => {
  it('downloads bytes with their content type, by id or by the URL in a run’s output', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
    server.respond((_request, response) => {
      response.writeHead(200, { 'content-type': 'image/png', etag: '"abc"' });
      response.end(png);
    });
    const weft = client();
    const artifact = await weft.artifacts.download('art_1');
    expect(Buffer.from(artifact.bytes)).toEqual(png);
    expect(artifact).toMatchObject({ contentType: 'image/png', etag: '"abc"' });
    // The URL's host is ignored: the key only ever goes to the client's own URL.
    await weft.artifacts.download('http://public.example:8080/v1/artifacts/art_2');
    expect(server.requests.map((r) => r.url)).toEqual([
      '/v1/artifacts/art_1',
      '/v1/artifacts/art_2',
    ]);
    await expect(weft.artifacts.download('http://evil.example/steal')).rejects.toThrow(
      /neither an artifact id/,
    );
  });
});

describe('artifact uploads', () => {
  const stored = { url: 'http://x/v1/artifacts/art_1', content_type: 'text/plain', file_size: 5 };
  const streamOf = (...parts: string[]) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const part of parts) controller.enqueue(new TextEncoder().encode(part));
        controller.close();
      },
    });

  it('sends bytes, a Blob or a stream as they are, with their type and run', async () => {
    server.respond((_request, response) => sendJson(response, 201, stored));
    const weft = client();
    const options = { contentType: 'text/plain', runId: 'run_1' };
    expect(await weft.artifacts.upload(Buffer.from('hello'), options)).toEqual(stored);
    await weft.artifacts.upload(new Blob(['a blob']), { contentType: 'text/plain; charset=utf-8' });
    await weft.artifacts.upload(streamOf('str', 'eam'), { contentType: 'application/x-ndjson' });
    expect(
      server.requests.map((r) => [r.method, r.url, r.headers['content-type'], r.body]),
    ).toEqual([
      ['POST', '/v1/artifacts?runId=run_1', 'text/plain', 'hello'],
      ['POST', '/v1/artifacts', 'text/plain; charset=utf-8', 'a blob'],
      ['POST', '/v1/artifacts', 'application/x-ndjson', 'stream'],
    ]);
    expect(server.requests.every((r) => r.headers['x-api-key'] === 'weft_abcdefgh_secret')).toBe(
      true,
    );
  });

  it('sends bytes again when the gateway did not act on them, a stream never', async () => {
    let refusals = 1;
    server.respond((_request, response) => {
      if (refusals-- > 0) sendError(response, 503, 'unavailable');
      else sendJson(response, 201, stored);
    });
    const weft = client({ retries: 2, sleep: async () => undefined });
    expect(
      await weft.artifacts.upload(Buffer.from('hello'), { contentType: 'text/plain' }),
    ).toEqual(stored);
    expect(server.requests.map((r) => r.body)).toEqual(['hello', 'hello']);

    server.requests.length = 0;
    refusals = 1;
    const error = await weft.artifacts
      .upload(streamOf('once'), { contentType: 'text/plain' })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'WeftApiError', status: 503, code: 'unavailable' });
    expect(server.requests).toHaveLength(1);
  });

  it('uploads for any app with the admin token, and reports the API’s refusal', async () => {
    server.respond((_request, response) =>
      sendError(response, 413, 'artifact_too_large', {}, { limitBytes: 4 }),
    );
    const weft = client({ adminToken: 'admin-token' });
    const error = await weft.admin.artifacts
      .upload('app/1', Buffer.from('hello'), { contentType: 'text/plain' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WeftApiError);
    expect(error).toMatchObject({ code: 'artifact_too_large', details: { limitBytes: 4 } });
    expect(only()).toMatchObject({
      url: '/v1/admin/apps/app%2F1/artifacts',
      headers: { authorization: 'Bearer admin-token', 'content-type': 'text/plain' },
    });
  });
});

describe('errors', () => {
  it('maps the API’s error to WeftApiError with status, code, details and request id', async () => {
    server.respond((_request, response) =>
      sendError(response, 404, 'run_not_found', { 'x-request-id': 'req-42' }, { runId: 'run_x' }),
    );
    const error = (await client()
      .runs.get('run_x')
      .catch((caught: unknown) => caught)) as WeftApiError;
    expect(error).toBeInstanceOf(WeftApiError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'WeftApiError',
      status: 404,
      code: 'run_not_found',
      message: 'run_not_found happened',
      details: { runId: 'run_x' },
      requestId: 'req-42',
    });
  });

  it('names an answer that is not the API’s by its status', async () => {
    server.respond((_request, response) => {
      response.writeHead(502, { 'content-type': 'text/html' });
      response.end('<html>Bad gateway</html>');
    });
    await expect(client().workflows.list()).rejects.toMatchObject({
      status: 502,
      code: 'http_502',
      message: 'HTTP 502 Bad Gateway: <html>Bad gateway</html>',
      details: {},
      requestId: undefined,
    });
  });

  it('reports a 2xx body that is not JSON', async () => {
    server.respond((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('hello');
    });
    await expect(client().keys.list()).rejects.toMatchObject({ code: 'invalid_response' });
  });
});
