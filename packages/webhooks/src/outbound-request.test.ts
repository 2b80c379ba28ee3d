import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import {
  fetchBytes,
  OutboundRequestError,
  parseRetryAfter,
  postJson,
  sendRequest,
  type FetchBytesRequest,
} from './outbound-request';
import type { AddressPolicy, HostResolver } from './ssrf-guard';
import { generateWebhookSecret, newWebhookId, signWebhook } from './webhook-signature';

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let server: Server;
let port: number;
let received: Received[] = [];
const paths = (): string[] => received.map((request) => request.path);

const image = Buffer.from('\x89PNG\r\n\x1a\n pretend image bytes', 'latin1');

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://receiver');
      received.push({
        method: request.method ?? '',
        path: url.pathname,
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const size = Number(url.searchParams.get('n') ?? '0');
      switch (url.pathname) {
        case '/hook':
          response.end('ok');
          return;
        case '/echo':
          response
            .writeHead(201, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] })
            .end(JSON.stringify({ method: request.method, type: request.headers['content-type'] }));
          return;
        case '/redirect':
          response.writeHead(302, { location: url.searchParams.get('to') ?? '/' }).end();
          return;
        case '/loop':
          response.writeHead(307, { location: '/loop' }).end();
          return;
        case '/busy':
          response.writeHead(429, { 'retry-after': '7' }).end('slow down');
          return;
        case '/slow':
          return; // never answers
        case '/long':
          // 1023 ASCII bytes then "é" (2 bytes): the 1 KiB cut falls inside the character.
          response.end('a'.repeat(1023) + 'é' + 'b'.repeat(4000));
          return;
        case '/image':
          response.writeHead(200, { 'content-type': 'image/png' }).end(image);
          return;
        case '/sized':
          response.end(Buffer.alloc(size, 1));
          return;
        case '/chunked':
          // No content-length: the limit must hold while streaming.
          for (let sent = 0; sent < size; sent += 256) response.write(Buffer.alloc(256, 2));
          response.end();
          return;
        default:
          response.writeHead(404).end('no such path');
      }
    });
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  port = (server.address() as AddressInfo).port;
});

beforeEach(() => {
  received = [];
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((closed) => server.close(closed));
});

const local = (path: string): string => `http://127.0.0.1:${port}${path}`;

/** Every *.test name is the local receiver; only public.test counts as public. */
const resolveTestNames: HostResolver = async (hostname) => {
  if (!hostname.endsWith('.test')) throw Object.assign(new Error('unknown'), { code: 'ENOTFOUND' });
  return [{ address: '127.0.0.1', family: 4 }];
};
const publicTestPolicy: AddressPolicy = {
  allowPrivate: false,
  resolve: resolveTestNames,
  treatAsPublic: (hostname) => hostname === 'public.test',
};
const publicUrl = (path: string): string => `http://public.test:${port}${path}`;

describe('postJson', () => {
  it('delivers a signed JSON body a Standard Webhooks receiver accepts', async () => {
    const secret = generateWebhookSecret();
    const body = JSON.stringify({ type: 'run.completed', data: { runId: 'run_1' } });
    const signature = signWebhook({
      secrets: [secret],
      id: newWebhookId(),
      timestamp: Math.floor(Date.now() / 1000),
      body,
    });
    const result = await postJson({
      url: local('/hook'),
      body,
      headers: { ...signature, 'X-Extra': 'yes' },
      allowPrivate: true,
    });
    expect(result).toEqual({
      ok: true,
      status: 200,
      durationMs: expect.any(Number) as number,
      responseSnippet: 'ok',
    });
    const [delivery] = received;
    expect(delivery).toMatchObject({ method: 'POST', path: '/hook', body });
    expect(delivery?.headers).toMatchObject({
      'user-agent': 'Weft-Webhooks/1.0',
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'x-extra': 'yes',
    });
    const headers = delivery?.headers as Record<string, string>;
    expect(new Webhook(secret).verify(delivery?.body ?? '', headers)).toEqual(JSON.parse(body));
  });

  it('keeps the headers the transport owns', async () => {
    await postJson({
      url: local('/hook'),
      body: '{}',
      headers: { 'Content-Type': 'text/plain', 'User-Agent': 'curl', Host: 'internal.example' },
      allowPrivate: true,
    });
    expect(received[0]?.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'Weft-Webhooks/1.0',
      host: `127.0.0.1:${port}`,
    });
  });

  it('rejects invalid header names and values as a caller bug', async () => {
    const post = (headers: Record<string, string>) =>
      postJson({ url: local('/hook'), body: '{}', headers, allowPrivate: true });
    await expect(post({ 'bad header': 'x' })).rejects.toMatchObject({
      code: 'ERR_INVALID_HTTP_TOKEN',
    });
    await expect(post({ 'x-ok': 'a\r\nInjected: 1' })).rejects.toMatchObject({
      code: 'ERR_INVALID_CHAR',
    });
    expect(received).toEqual([]);
  });

  it.each([
    '127.0.0.1:PORT',
    '10.0.0.1',
    '169.254.169.254/latest/meta-data',
    '[::1]',
    '[::ffff:127.0.0.1]:PORT',
    '2130706433:PORT',
    '0x7f.1:PORT',
  ])('refuses the private literal http://%s', async (target) => {
    const url = `http://${target.replace('PORT', String(port))}/hook`;
    const result = await postJson({ url, body: '{}', allowPrivate: false });
    expect(result).toMatchObject({ ok: false, error: { code: 'address_not_allowed' } });
    expect(result.status).toBeUndefined();
    expect(received).toEqual([]);
  });

  it('refuses a name that resolves to a private address', async () => {
    const viaSystemDns = await postJson({
      url: `http://localhost:${port}/hook`,
      body: '{}',
      allowPrivate: false,
    });
    expect(viaSystemDns.error).toMatchObject({ code: 'address_not_allowed' });
    expect(viaSystemDns.error?.message).toContain('localhost resolves to');

    const viaResolver = await postJson({
      url: `http://hooks.test:${port}/hook`,
      body: '{}',
      ...publicTestPolicy,
    });
    expect(viaResolver.error).toMatchObject({ code: 'address_not_allowed' });
    expect(received).toEqual([]);
  });

  it('reaches a local receiver under a name treated as public', async () => {
    const result = await postJson({ url: publicUrl('/hook'), body: '{}', ...publicTestPolicy });
    expect(result).toMatchObject({ ok: true, status: 200 });
  });

  it.each([
    ['file:///etc/passwd', 'url_not_allowed'],
    ['ftp://example.com/file', 'url_not_allowed'],
    ['gopher://example.com:70/_', 'url_not_allowed'],
    ['https://user:pass@example.com/', 'url_not_allowed'],
    ['not a url', 'invalid_url'],
  ])('refuses %s', async (url, code) => {
    const result = await postJson({ url, body: '{}', allowPrivate: true });
    expect(result).toMatchObject({ ok: false, error: { code } });
  });

  it('reports a redirect instead of following it', async () => {
    const result = await postJson({
      url: local('/redirect?to=/hook'),
      body: '{}',
      allowPrivate: true,
    });
    expect(result).toMatchObject({ ok: false, status: 302 });
    expect(result.error).toBeUndefined();
    expect(paths()).toEqual(['/redirect']);
  });

  it('reports a receiver that does not answer in time as a timeout', async () => {
    const result = await postJson({
      url: local('/slow'),
      body: '{}',
      timeoutMs: 100,
      allowPrivate: true,
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'timeout' } });
    expect(result.durationMs).toBeGreaterThanOrEqual(90);
  });

  it('reports an abort by the caller', async () => {
    const controller = new AbortController();
    const pending = postJson({
      url: local('/slow'),
      body: '{}',
      allowPrivate: true,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 20);
    await expect(pending).resolves.toMatchObject({ ok: false, error: { code: 'aborted' } });

    const alreadyAborted = AbortSignal.abort();
    await expect(
      postJson({ url: local('/hook'), body: '{}', allowPrivate: true, signal: alreadyAborted }),
    ).resolves.toMatchObject({ error: { code: 'aborted' } });
  });

  it('reports a refused connection', async () => {
    const closed = createServer();
    await new Promise<void>((ready) => closed.listen(0, '127.0.0.1', ready));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((done) => closed.close(done));
    const result = await postJson({
      url: `http://127.0.0.1:${closedPort}/`,
      body: '{}',
      allowPrivate: true,
    });
    expect(result.error).toMatchObject({ code: 'connection_failed' });
    expect(result.error?.message).toContain('ECONNREFUSED');
  });

  it('parses Retry-After from a 429', async () => {
    const result = await postJson({ url: local('/busy'), body: '{}', allowPrivate: true });
    expect(result).toMatchObject({
      ok: false,
      status: 429,
      retryAfterMs: 7000,
      responseSnippet: 'slow down',
    });
  });

  it('keeps the first 1 KiB of the response, never half a character', async () => {
    const result = await postJson({ url: local('/long'), body: '{}', allowPrivate: true });
    expect(result.responseSnippet).toBe('a'.repeat(1023));
  });

  it('reports a non-2xx status as not ok', async () => {
    const result = await postJson({ url: local('/missing'), body: '{}', allowPrivate: true });
    expect(result).toMatchObject({ ok: false, status: 404, responseSnippet: 'no such path' });
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');

  it('reads delay-seconds and HTTP-dates', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    for (const value of [undefined, '', '1.5', '-3', 'soon', '2025-01-01']) {
      expect(parseRetryAfter(value, now)).toBeUndefined();
    }
  });
});

async function fetchError(request: FetchBytesRequest): Promise<OutboundRequestError> {
  try {
    await fetchBytes(request);
  } catch (error) {
    if (error instanceof OutboundRequestError) return error;
    throw error;
  }
  throw new Error('expected fetchBytes to fail');
}

describe('fetchBytes', () => {
  it('returns the body and content type', async () => {
    await expect(
      fetchBytes({ url: publicUrl('/image'), maxBytes: 1000, ...publicTestPolicy }),
    ).resolves.toEqual({ bytes: image, contentType: 'image/png' });
    expect(received[0]?.headers['user-agent']).toBe('Weft-Webhooks/1.0');
  });

  it('follows redirects to allowed targets', async () => {
    const url = publicUrl(`/redirect?to=${encodeURIComponent(publicUrl('/image'))}`);
    const fetched = await fetchBytes({ url, maxBytes: 1000, ...publicTestPolicy });
    expect(fetched.bytes).toEqual(image);
    expect(paths()).toEqual(['/redirect', '/image']);
  });

  // The first hop is allowed (public.test is treated as public) and reaches the receiver, which
  // redirects; each target below is on the same receiver, so only the re-check can stop it.
  it.each([
    ['a name resolving to a private address', () => `http://private.test:${port}/image`],
    ['a private IPv4 literal', () => local('/image')],
    ['a numeric IPv4 literal', () => `http://2130706433:${port}/image`],
    ['an IPv6 loopback literal', () => `http://[::1]:${port}/image`],
    ['cloud metadata', () => 'http://169.254.169.254/latest/meta-data'],
  ])('refuses a redirect to %s', async (_why, targetOf) => {
    const target = targetOf();
    const url = publicUrl(`/redirect?to=${encodeURIComponent(target)}`);
    const error = await fetchError({ url, maxBytes: 1000, ...publicTestPolicy });
    expect(error.code).toBe('address_not_allowed');
    expect(paths()).toEqual(['/redirect']);
  });

  it('refuses a redirect to another scheme', async () => {
    const url = publicUrl(`/redirect?to=${encodeURIComponent('file:///etc/passwd')}`);
    const error = await fetchError({ url, maxBytes: 1000, ...publicTestPolicy });
    expect(error.code).toBe('url_not_allowed');
  });

  it('stops after maxRedirects', async () => {
    const error = await fetchError({
      url: local('/loop'),
      maxBytes: 1000,
      maxRedirects: 2,
      allowPrivate: true,
    });
    expect(error).toMatchObject({ code: 'too_many_redirects', status: 307 });
    expect(paths()).toEqual(['/loop', '/loop', '/loop']);
  });

  it.each([
    ['a private literal', () => local('/image'), 'address_not_allowed'],
    ['localhost', () => `http://localhost:${port}/image`, 'address_not_allowed'],
    ['a non-http scheme', () => 'ftp://example.com/image.png', 'url_not_allowed'],
    ['an invalid URL', () => 'http//example.com', 'invalid_url'],
  ])('refuses %s up front', async (_why, urlOf, code) => {
    const error = await fetchError({ url: urlOf(), maxBytes: 1000, allowPrivate: false });
    expect(error.code).toBe(code);
    expect(received).toEqual([]);
  });

  it('accepts a body of exactly maxBytes', async () => {
    const fetched = await fetchBytes({
      url: local('/sized?n=1000'),
      maxBytes: 1000,
      allowPrivate: true,
    });
    expect(fetched.bytes).toHaveLength(1000);
  });

  it.each([
    ['a declared length', '/sized?n=1001'],
    ['a streamed body', '/chunked?n=4096'],
  ])('refuses a body over maxBytes with %s', async (_why, path) => {
    const error = await fetchError({ url: local(path), maxBytes: 1000, allowPrivate: true });
    expect(error.code).toBe('too_large');
    expect(error.message).toContain('1000-byte limit');
  });

  it('fails on a non-2xx status', async () => {
    const error = await fetchError({ url: local('/missing'), maxBytes: 1000, allowPrivate: true });
    expect(error).toMatchObject({ code: 'http_status', status: 404 });
  });

  it('times out', async () => {
    const error = await fetchError({
      url: local('/slow'),
      maxBytes: 1000,
      timeoutMs: 100,
      allowPrivate: true,
    });
    expect(error.code).toBe('timeout');
  });
});

describe('sendRequest', () => {
  it('sends any method with a body and returns the answer whatever its status', async () => {
    const response = await sendRequest({
      method: 'PUT',
      url: local('/echo'),
      headers: { 'X-Trace': 't1', Host: 'evil.example', 'Content-Length': '1' },
      body: { bytes: 'hello', contentType: 'text/plain; charset=utf-8' },
      maxBytes: 1000,
      allowPrivate: true,
    });
    expect(response.status).toBe(201);
    expect(response.headers['set-cookie']).toBe('a=1, b=2');
    expect(JSON.parse(response.bytes.toString('utf8'))).toEqual({
      method: 'PUT',
      type: 'text/plain; charset=utf-8',
    });
    expect(received[0]).toMatchObject({ body: 'hello', headers: { 'x-trace': 't1' } });
    expect(received[0]?.headers.host).toBe(`127.0.0.1:${port}`);
    const missing = await sendRequest({
      method: 'GET',
      url: local('/missing'),
      maxBytes: 1000,
      allowPrivate: true,
    });
    expect(missing.status).toBe(404);
    expect(missing.bytes.toString('utf8')).toBe('no such path');
  });

  it('follows redirects for GET, but answers a POST with its 3xx', async () => {
    const url = local(`/redirect?to=${encodeURIComponent('/hook')}`);
    const got = await sendRequest({ method: 'GET', url, maxBytes: 1000, allowPrivate: true });
    expect([got.status, paths()]).toEqual([200, ['/redirect', '/hook']]);
    received = [];
    const posted = await sendRequest({
      method: 'POST',
      url,
      body: { bytes: '{}', contentType: 'application/json' },
      maxBytes: 1000,
      allowPrivate: true,
    });
    expect([posted.status, posted.headers.location, paths()]).toEqual([
      302,
      '/hook',
      ['/redirect'],
    ]);
  });

  it('refuses a private address unless allowed, and a body over maxBytes', async () => {
    await expect(
      sendRequest({ method: 'DELETE', url: local('/hook'), maxBytes: 1000, allowPrivate: false }),
    ).rejects.toMatchObject({ code: 'address_not_allowed' });
    expect(received).toEqual([]);
    await expect(
      sendRequest({
        method: 'GET',
        url: local('/sized?n=2000'),
        maxBytes: 1000,
        allowPrivate: true,
      }),
    ).rejects.toMatchObject({ code: 'too_large' });
  });
});
