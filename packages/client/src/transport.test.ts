import { createServer } from 'node:net';
import { WeftApiError, WeftConnectionError } from './errors';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, neverSent, parseRetryAfter } from './retry-policy';
import { sendError, sendJson, startLocalServer, type LocalServer } from './testing/local-server';
import { WeftClient, type WeftClientOptions } from './weft-client';

let server: LocalServer;
let sleeps: number[];

beforeAll(async () => {
  server = await startLocalServer();
});

afterAll(() => server.close());

beforeEach(() => {
  server.requests.length = 0;
  sleeps = [];
});

/** A client whose waits are recorded, not slept, with jitter pinned to the middle. */
function client(options: WeftClientOptions = {}): WeftClient {
  return new WeftClient({
    url: server.url,
    apiKey: 'k',
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...options,
  });
}

/** Answers with each status in turn (the API's error shape), then 200 `{keys: []}`. */
function failThen(statuses: number[], headers: Record<string, string> = {}): void {
  let calls = 0;
  server.respond((_request, response) => {
    const status = statuses[calls];
    calls += 1;
    if (status === undefined) sendJson(response, 200, { keys: [], runId: 'run_1' });
    else sendError(response, status, status === 429 ? 'rate_limited' : 'internal_error', headers);
  });
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('retries', () => {
  it('retries a GET on 5xx with exponential backoff and jitter, then succeeds', async () => {
    failThen([500, 502, 503]);
    expect(await client().keys.list()).toEqual([]);
    expect(server.requests).toHaveLength(4);
    // 500 · 2^n ms ceilings, jitter at 0.5 → three quarters of each.
    expect(sleeps).toEqual([375, 750, 1500]);
  });

  it('honours Retry-After (seconds) on 429, for any method', async () => {
    failThen([429], { 'retry-after': '2' });
    await client().keys.create();
    expect(server.requests.map((r) => r.method)).toEqual(['POST', 'POST']);
    expect(sleeps).toEqual([2000]);
  });

  it('retries a non-idempotent POST on 503, never on another 5xx', async () => {
    failThen([503]);
    await client().keys.create();
    expect(server.requests).toHaveLength(2);

    server.requests.length = 0;
    failThen([500]);
    await expect(client().keys.create()).rejects.toMatchObject({ status: 500 });
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toEqual([375]);
  });

  it('retries a run start on 500, with the same idempotency key every time', async () => {
    failThen([500, 500]);
    const started = await client().runs.start({ workflowSlug: 'demo' });
    const keys = server.requests.map((r) => r.headers['idempotency-key']);
    expect(keys).toEqual([started.idempotencyKey, started.idempotencyKey, started.idempotencyKey]);
  });

  it('gives up after `retries` and throws the last error', async () => {
    failThen([500, 500, 500]);
    const error = await client({ retries: 2 })
      .keys.list()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WeftApiError);
    expect(server.requests).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });

  it('does not wait out a Retry-After beyond its bound: the error says when to come back', async () => {
    failThen([429], { 'retry-after': '3600' });
    await expect(client().keys.list()).rejects.toMatchObject({
      code: 'rate_limited',
      retryAfterMs: 3_600_000,
    });
    expect(sleeps).toEqual([]);
  });

  it('does not retry 4xx answers', async () => {
    failThen([409]);
    await expect(client().runs.cancel('run_1')).rejects.toMatchObject({ status: 409 });
    expect(server.requests).toHaveLength(1);
  });

  it('retries a refused connection, even for a POST (nothing was sent), then says so', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const error = await client({ url, retries: 2 })
      .keys.create()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WeftConnectionError);
    expect((error as WeftConnectionError).message).toMatch(/ECONNREFUSED/);
    expect((error as WeftConnectionError).url).toBe(`${url}/v1/keys`);
    expect(sleeps).toHaveLength(2);
  });

  it('does not retry a POST whose connection dropped after it was sent', async () => {
    server.respond((_request, response) => {
      response.socket?.destroy();
    });
    await expect(client().keys.create()).rejects.toBeInstanceOf(WeftConnectionError);
    expect(server.requests).toHaveLength(1);
    server.requests.length = 0;
    await expect(client({ retries: 1 }).keys.list()).rejects.toBeInstanceOf(WeftConnectionError);
    expect(server.requests).toHaveLength(2);
  });

  it('times an attempt out, and a caller’s abort stops everything', async () => {
    server.respond(() => undefined); // never answers
    await expect(client({ timeoutMs: 50, retries: 0 }).keys.list()).rejects.toThrow(
      /no answer within 50 ms/,
    );
    const controller = new AbortController();
    const pending = client({ timeoutMs: 0 }).keys.list({ signal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
  });
});

describe('retry policy', () => {
  it('doubles up to the bound, jittered between half and all of it', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffDelayMs(n, policy, () => 0))).toEqual([
      50, 100, 200, 400, 500, 500,
    ]);
    expect(backoffDelayMs(2, policy, () => 0.999999)).toBe(400);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('0.5', now)).toBe(500);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('knows which network failures mean nothing was sent', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(neverSent(new TypeError('fetch failed', { cause: refused }))).toBe(true);
    expect(neverSent(new TypeError('fetch failed', { cause: reset }))).toBe(false);
    expect(
      neverSent(new TypeError('fetch failed', { cause: new AggregateError([refused, refused]) })),
    ).toBe(true);
    expect(neverSent(new TypeError('terminated'))).toBe(false);
  });
});
