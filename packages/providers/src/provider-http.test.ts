import type { ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import {
  pause,
  sendBytes,
  sendJson,
  startRecordingServer,
  type RecordedRequest,
  type RecordingServer,
} from '../../../test/fakes/fake-http';
import { ProviderError } from './provider-error';
import { parseRetryAfter, ProviderHttp, type ProviderHttpOptions } from './provider-http';

const KEY = 'sk-test-3f9a1c77e2b04d5a';

type Answer = (request: RecordedRequest, response: ServerResponse) => Promise<void> | void;

let server: RecordingServer;
let answer: Answer;

beforeAll(async () => {
  server = await startRecordingServer(async (request, response) => answer(request, response));
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  answer = (_request, response) => sendJson(response, 200, { ok: true });
});

function http(options: Partial<ProviderHttpOptions> = {}): ProviderHttp {
  return new ProviderHttp({
    provider: 'acme',
    baseUrl: `${server.origin}/v1`,
    authorization: `Bearer ${KEY}`,
    timeoutMs: 2000,
    ...options,
  });
}

const signal = (): AbortSignal => new AbortController().signal;

/** The ProviderError a call rejects with, after checking the key appears nowhere in it. */
async function failure(call: Promise<unknown>): Promise<ProviderError> {
  const error = await call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (reason: unknown) => reason,
  );
  if (!(error instanceof ProviderError)) throw error;
  const everything = [
    JSON.stringify(error),
    String(error),
    error.stack,
    JSON.stringify(error.extra.details),
    String(error.cause),
  ].join('\n');
  expect(everything).not.toContain(KEY);
  return error;
}

describe('ProviderHttp', () => {
  it('sends JSON with the key and idempotency key, and returns status, body and headers', async () => {
    answer = (_request, response) => sendJson(response, 201, { id: 'x' }, { 'x-request-id': 'r1' });
    const response = await http().request({
      method: 'POST',
      url: '/things',
      body: { a: 1 },
      signal: signal(),
      idempotencyKey: 'run-1/node-a',
    });
    expect(response).toMatchObject({ status: 201, data: { id: 'x' } });
    expect(response.headers['x-request-id']).toBe('r1');
    const [sent] = server.requests;
    expect(sent).toMatchObject({ method: 'POST', path: '/v1/things', json: { a: 1 } });
    expect(sent?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(sent?.headers['idempotency-key']).toBe('run-1/node-a');
    expect(sent?.headers['content-type']).toContain('application/json');
  });

  it('returns bytes as a Buffer', async () => {
    answer = (_request, response) => sendBytes(response, 200, Buffer.from([1, 2, 3]), 'audio/mpeg');
    const response = await http().request<Buffer>({
      method: 'GET',
      url: '/audio',
      responseType: 'bytes',
      signal: signal(),
    });
    expect(Buffer.from(response.data)).toEqual(Buffer.from([1, 2, 3]));
    expect(response.headers['content-type']).toBe('audio/mpeg');
  });

  it('sends no Authorization header without a key, nor to another origin', async () => {
    await http({ authorization: undefined }).request({
      method: 'GET',
      url: '/a',
      signal: signal(),
    });
    const other = await startRecordingServer(async (_request, response) =>
      sendJson(response, 200, {}),
    );
    try {
      await http().request({ method: 'GET', url: `${other.origin}/b`, signal: signal() });
      expect(server.requests[0]?.headers.authorization).toBeUndefined();
      expect(other.requests).toHaveLength(1);
      expect(other.requests[0]?.headers.authorization).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it.each([
    [429, 'provider_rate_limited', true],
    [500, 'provider_unavailable', true],
    [502, 'provider_unavailable', true],
    [503, 'provider_unavailable', true],
    [504, 'provider_unavailable', true],
    [408, 'provider_timeout', true],
    [401, 'provider_auth_failed', false],
    [403, 'provider_auth_failed', false],
    [400, 'provider_rejected', false],
    [404, 'provider_rejected', false],
    [413, 'provider_rejected', false],
    [422, 'provider_rejected', false],
    [409, 'provider_rejected', false],
  ])('maps HTTP %i to %s (retryable: %s)', async (status, code, retryable) => {
    answer = (_request, response) => sendJson(response, status, { error: { message: 'nope' } });
    const error = await failure(http().request({ method: 'POST', url: '/x', signal: signal() }));
    expect(error).toMatchObject({ code, retryable, extra: { status } });
    expect(error.message).toContain(`POST ${server.origin}/v1/x → ${status}`);
    expect(error.message).toContain('nope');
  });

  it('takes Retry-After in seconds or as an HTTP date, for 429 and 5xx only', async () => {
    answer = (_request, response) => sendJson(response, 429, {}, { 'retry-after': '3' });
    const seconds = await failure(http().request({ method: 'GET', url: '/x', signal: signal() }));
    expect(seconds.extra.retryAfterMs).toBe(3000);

    const date = new Date(Date.now() + 10_000).toUTCString();
    answer = (_request, response) => sendJson(response, 503, {}, { 'retry-after': date });
    const dated = await failure(http().request({ method: 'GET', url: '/x', signal: signal() }));
    expect(dated.code).toBe('provider_unavailable');
    expect(dated.extra.retryAfterMs).toBeGreaterThan(8000);
    expect(dated.extra.retryAfterMs).toBeLessThanOrEqual(10_000);

    answer = (_request, response) => sendJson(response, 400, {}, { 'retry-after': '3' });
    const rejected = await failure(http().request({ method: 'GET', url: '/x', signal: signal() }));
    expect(rejected.extra.retryAfterMs).toBeUndefined();
  });

  it("carries OpenAI's and fal's error messages, with the body as details", async () => {
    const openAiBody = {
      error: {
        message: "'messages' is a required property",
        type: 'invalid_request_error',
        code: null,
      },
    };
    answer = (_request, response) => sendJson(response, 400, openAiBody);
    const openAi = await failure(http().request({ method: 'POST', url: '/x', signal: signal() }));
    expect(openAi.message).toMatch(
      /acme rejected the request .*: 'messages' is a required property$/,
    );
    expect(openAi.extra.details).toEqual(openAiBody);

    const falBody = {
      detail: [{ loc: ['body', 'prompt'], msg: 'field required', type: 'value_error.missing' }],
    };
    answer = (_request, response) => sendJson(response, 422, falBody);
    const fal = await failure(http().request({ method: 'POST', url: '/x', signal: signal() }));
    expect(fal.message).toContain(': body.prompt: field required');
    expect(fal.extra.details).toEqual(falBody);

    answer = (_request, response) => sendJson(response, 404, { detail: 'Application not found' });
    const missing = await failure(http().request({ method: 'POST', url: '/x', signal: signal() }));
    expect(missing.message).toContain(': Application not found');
  });

  it('trims long and non-JSON error bodies, and decodes byte bodies', async () => {
    const page = `<html>\n<body>${'bad gateway '.repeat(100)}</body>\n</html>`;
    answer = (_request, response) => sendBytes(response, 502, Buffer.from(page), 'text/html');
    const html = await failure(http().request({ method: 'GET', url: '/x', signal: signal() }));
    expect(html.code).toBe('provider_unavailable');
    expect(html.message.length).toBeLessThan(700);
    expect(typeof html.extra.details === 'string' && html.extra.details.length).toBeLessThan(520);

    answer = (_request, response) => sendJson(response, 400, { error: { message: 'bad voice' } });
    const bytes = await failure(
      http().request({ method: 'POST', url: '/x', responseType: 'bytes', signal: signal() }),
    );
    expect(bytes.message).toContain('bad voice');
  });

  it('never repeats the key, even when the provider echoes it', async () => {
    answer = (request, response) =>
      sendJson(response, 401, {
        error: { message: `Incorrect API key provided: ${request.headers.authorization ?? ''}` },
        echoed: { [KEY]: KEY },
      });
    const error = await failure(http().request({ method: 'POST', url: '/x', signal: signal() }));
    expect(error.code).toBe('provider_auth_failed');
    expect(error.message).toContain('Incorrect API key provided: [redacted]');
    expect(error.cause).toEqual(new Error(`POST ${server.origin}/v1/x → 401`));
  });

  it('keeps the key out of a logged or serialised client', () => {
    const client = http();
    expect(JSON.stringify(client)).not.toContain(KEY);
    expect(inspect(client, { depth: 10, showHidden: true })).not.toContain(KEY);
  });

  it('does not follow redirects', async () => {
    answer = (_request, response) => {
      response.writeHead(302, { location: `${server.origin}/elsewhere` }).end();
    };
    const error = await failure(http().request({ method: 'GET', url: '/x', signal: signal() }));
    expect(error).toMatchObject({ code: 'provider_bad_response', retryable: false });
    expect(server.requests.map((request) => request.path)).toEqual(['/v1/x']);
  });

  it('times out a slow answer as retryable provider_timeout', async () => {
    answer = (_request, response) => pause(5000, response);
    const started = Date.now();
    const error = await failure(
      http().request({ method: 'GET', url: '/slow', signal: signal(), timeoutMs: 80 }),
    );
    expect(error).toMatchObject({ code: 'provider_timeout', retryable: true });
    expect(error.message).toContain('within 80 ms');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reports refused and reset connections as retryable provider_unreachable', async () => {
    const closed = await startRecordingServer(async () => undefined);
    await closed.close();
    const refused = await failure(
      http({ baseUrl: closed.origin }).request({ method: 'GET', url: '/x', signal: signal() }),
    );
    expect(refused).toMatchObject({ code: 'provider_unreachable', retryable: true });
    expect(refused.message).toContain('ECONNREFUSED');

    answer = (_request, response) => {
      response.socket?.destroy();
    };
    const reset = await failure(http().request({ method: 'GET', url: '/x', signal: signal() }));
    expect(reset).toMatchObject({ code: 'provider_unreachable', retryable: true });
    expect(reset.message).toContain('ECONNRESET');
  });

  it('ends with a retryable aborted error when the caller aborts, before or during the call', async () => {
    const before = new AbortController();
    before.abort();
    const early = await failure(
      http().request({ method: 'GET', url: '/x', signal: before.signal }),
    );
    expect(early).toMatchObject({ code: 'aborted', retryable: true });
    expect(server.requests).toHaveLength(0);

    answer = (_request, response) => pause(5000, response);
    const during = new AbortController();
    setTimeout(() => during.abort(), 30);
    const late = await failure(http().request({ method: 'GET', url: '/x', signal: during.signal }));
    expect(late).toMatchObject({ code: 'aborted', retryable: true });
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');

  it('reads delay-seconds and HTTP dates', () => {
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});
