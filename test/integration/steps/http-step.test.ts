import type { Connection } from 'mongoose';
import { parseStepSecrets, type StepSecrets } from '@weft/steps';
import type { StepHandler } from '@weft/worker';
import { connectDatabase, dropDatabase } from '../../support/test-infrastructure';
import { startReceiver, stopReceiver, type Receiver } from './receiver';
import { createStepHandlers, runStep, stepServices } from './step-services';

let connection: Connection;
let receiver: Receiver;
let handlers: Readonly<Record<string, StepHandler>>;
let guarded: Readonly<Record<string, StepHandler>>;

function secretsFor(origin: string): StepSecrets {
  const parsed = parseStepSecrets(
    JSON.stringify({
      ACME_TOKEN: { value: 'Bearer s3cr3t-value', origins: [origin] },
      OTHER_APP_TOKEN: { value: 'theirs', origins: [origin], apps: ['app_other'] },
      ELSEWHERE_TOKEN: { value: 'elsewhere', origins: ['https://api.example.com'] },
    }),
  );
  if ('problem' in parsed) throw new Error(parsed.problem);
  return parsed.secrets;
}

beforeAll(async () => {
  connection = await connectDatabase();
  receiver = await startReceiver();
  const services = await stepServices(connection, {}, { secrets: secretsFor(receiver.url) });
  handlers = createStepHandlers(services);
  guarded = createStepHandlers({ ...services, allowPrivateNetworks: false });
});

afterAll(async () => {
  await stopReceiver(receiver);
  await dropDatabase(connection);
});

beforeEach(() => {
  receiver.received.length = 0;
  receiver.answers.length = 0;
});

const json = (value: unknown) => ({
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(value),
});

describe('http_request', () => {
  it('sends a JSON body and returns the status, headers and parsed answer', async () => {
    receiver.answers.push({ status: 201, ...json({ id: 'order_1', ok: true }) });
    const outcome = await runStep(handlers, 'http_request', {
      method: 'POST',
      url: `${receiver.url}/orders?x=1`,
      headers: { 'X-Trace': 'abc' },
      json: { item: 'tea', quantity: 2 },
    });
    expect(outcome).toMatchObject({
      ok: true,
      result: {
        status: 201,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: { id: 'order_1', ok: true },
      },
    });
    expect(receiver.received).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: '/orders?x=1',
        body: '{"item":"tea","quantity":2}',
        headers: expect.objectContaining({
          'content-type': 'application/json',
          'x-trace': 'abc',
        }) as unknown,
      }),
    ]);
  });

  it('GETs by default, answers text as text and an empty body as null', async () => {
    receiver.answers.push({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'hi' });
    receiver.answers.push({ status: 204 });
    const text = await runStep(handlers, 'http_request', { url: `${receiver.url}/a` });
    const empty = await runStep(handlers, 'http_request', {
      method: 'DELETE',
      url: `${receiver.url}/b`,
    });
    expect(text).toMatchObject({ ok: true, result: { status: 200, body: 'hi' } });
    expect(empty).toMatchObject({ ok: true, result: { status: 204, body: null } });
    expect(receiver.received.map((request) => request.method)).toEqual(['GET', 'DELETE']);
  });

  it("fills secret headers from the worker's configuration, never from the run", async () => {
    receiver.answers.push({ status: 200, ...json({ ok: true }) });
    const outcome = await runStep(handlers, 'http_request', {
      url: `${receiver.url}/private`,
      secret_headers: { Authorization: 'ACME_TOKEN' },
    });
    expect(outcome.ok).toBe(true);
    expect(receiver.received[0]?.headers.authorization).toBe('Bearer s3cr3t-value');
    expect(JSON.stringify(outcome)).not.toContain('s3cr3t');
  });

  it.each([
    ['an unknown secret', 'NO_SUCH_TOKEN', 'app_steps', 'no secret "NO_SUCH_TOKEN"'],
    ["another app's secret", 'OTHER_APP_TOKEN', 'app_steps', 'not available to this app'],
    ['a secret of another origin', 'ELSEWHERE_TOKEN', 'app_steps', 'may not be sent to'],
  ])('refuses %s before sending anything', async (_why, name, appId, message) => {
    const outcome = await runStep(
      handlers,
      'http_request',
      { url: `${receiver.url}/private`, secret_headers: { Authorization: name } },
      { appId },
    );
    expect(outcome).toMatchObject({
      ok: false,
      error: { code: 'secret_not_available', retryable: false },
    });
    expect(outcome.ok ? '' : outcome.error.message).toContain(message);
    expect(receiver.received).toEqual([]);
  });

  it('lets the app the secret names use it', async () => {
    const outcome = await runStep(
      handlers,
      'http_request',
      { url: `${receiver.url}/theirs`, secret_headers: { 'X-Key': 'OTHER_APP_TOKEN' } },
      { appId: 'app_other' },
    );
    expect(outcome.ok).toBe(true);
    expect(receiver.received[0]?.headers['x-key']).toBe('theirs');
  });

  it('does not follow a redirect with a secret on board', async () => {
    receiver.answers.push({ status: 302, headers: { location: 'https://evil.example/steal' } });
    const outcome = await runStep(handlers, 'http_request', {
      url: `${receiver.url}/moved`,
      secret_headers: { Authorization: 'ACME_TOKEN' },
      fail_on_status: false,
    });
    expect(outcome).toMatchObject({
      ok: true,
      result: { status: 302, headers: { location: 'https://evil.example/steal' } },
    });
    expect(receiver.received).toHaveLength(1);
  });

  it('fails on a non-2xx answer: retried on 5xx and 429, not on other 4xx', async () => {
    receiver.answers.push({ status: 503, headers: { 'retry-after': '3' } });
    receiver.answers.push({ status: 404 });
    receiver.answers.push({ status: 404, ...json({ error: 'missing' }) });
    const unavailable = await runStep(handlers, 'http_request', { url: `${receiver.url}/x` });
    const missing = await runStep(handlers, 'http_request', { url: `${receiver.url}/y` });
    const kept = await runStep(handlers, 'http_request', {
      url: `${receiver.url}/z`,
      fail_on_status: false,
    });
    expect(unavailable).toMatchObject({
      ok: false,
      error: { code: 'http_status', retryable: true, retryAfterMs: 3000 },
    });
    expect(missing).toMatchObject({ ok: false, error: { code: 'http_status', retryable: false } });
    expect(kept).toMatchObject({ ok: true, result: { status: 404, body: { error: 'missing' } } });
  });

  it('refuses private addresses through the SSRF guard, and bad headers, without sending', async () => {
    const privateAddress = await runStep(guarded, 'http_request', { url: `${receiver.url}/a` });
    const metadata = await runStep(guarded, 'http_request', {
      url: 'http://169.254.169.254/latest/meta-data',
    });
    const badHeader = await runStep(handlers, 'http_request', {
      url: `${receiver.url}/a`,
      headers: { 'X-Evil': 'a\r\nInjected: 1' },
    });
    const scheme = await runStep(handlers, 'http_request', { url: 'file:///etc/passwd' });
    expect(privateAddress).toMatchObject({ ok: false, error: { code: 'address_not_allowed' } });
    expect(metadata).toMatchObject({ ok: false, error: { code: 'address_not_allowed' } });
    expect(badHeader).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(scheme).toMatchObject({ ok: false, error: { code: 'url_not_allowed' } });
    expect(receiver.received).toEqual([]);
  });

  it('refuses inputs its schema does not admit', async () => {
    const both = await runStep(handlers, 'http_request', {
      url: `${receiver.url}/a`,
      json: {},
      text: 'x',
    });
    const method = await runStep(handlers, 'http_request', {
      url: `${receiver.url}/a`,
      method: 'TRACE',
    });
    expect(both).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(method).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(receiver.received).toEqual([]);
  });

  it('times out as a retryable http_timeout', async () => {
    const { createServer } = await import('node:http');
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const outcome = await runStep(handlers, 'http_request', {
        url: `http://127.0.0.1:${port}/`,
        timeout_ms: 100,
      });
      expect(outcome).toMatchObject({
        ok: false,
        error: { code: 'http_timeout', retryable: true },
      });
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe('STEP_SECRETS', () => {
  it.each([
    ['not JSON', '{', 'JSON object'],
    ['a list', '[]', 'JSON object'],
    [
      'a lower-case name',
      '{"acme": {"value": "v", "origins": ["https://a.example"]}}',
      'upper-case',
    ],
    ['no origins', '{"ACME": {"value": "v"}}', '"origins"'],
    [
      'a URL with a path',
      '{"ACME": {"value": "v", "origins": ["https://a.example/x"]}}',
      '"origins"',
    ],
    [
      'a line break in the value',
      '{"ACME": {"value": "a\\nb", "origins": ["https://a.example"]}}',
      '"value"',
    ],
    [
      'apps not a list',
      '{"ACME": {"value": "v", "origins": ["https://a.example"], "apps": "x"}}',
      '"apps"',
    ],
    [
      'an unknown field',
      '{"ACME": {"value": "v", "origins": ["https://a.example"], "to": 1}}',
      '"to"',
    ],
  ])('refuses %s, without echoing a value', (_why, text, expected) => {
    const parsed = parseStepSecrets(text);
    expect('problem' in parsed ? parsed.problem : '').toContain(expected);
    expect('problem' in parsed ? parsed.problem : '').not.toMatch(/"v"|a\\nb/);
  });

  it('reads none from an absent or empty variable', () => {
    for (const text of [undefined, '', '  ']) {
      const parsed = parseStepSecrets(text);
      expect('secrets' in parsed && parsed.secrets.names).toEqual([]);
    }
  });
});
