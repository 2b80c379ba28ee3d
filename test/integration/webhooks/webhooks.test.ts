import { Webhook } from 'standardwebhooks';
import type { WebhookDelivery } from '@weft/store';
import { TestEngine } from '../../support/engine';
import { waitFor } from '../../support/test-infrastructure';
import { startReceiver, type Receiver } from './receiver';

const HELLO_PLAN = {
  name: 'hello',
  dag: {
    nodes: { greet: { task: 'core/transform', inputs: { value: 'hello ${input.who}' } } },
    edges: [],
  },
};
const FAILING_PLAN = {
  name: 'broken',
  dag: {
    nodes: { boom: { task: 'core/fail', inputs: { code: 'boom', retryable: false } } },
    edges: [],
  },
};

type Gateway = Awaited<ReturnType<TestEngine['startGateway']>>;

async function call(
  gateway: Gateway,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(gateway.url + path, {
    method,
    headers: {
      'x-api-key': gateway.apiKey,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
  };
}

async function startRun(gateway: Gateway, plan: unknown, extra: Record<string, unknown> = {}) {
  const started = await call(gateway, 'POST', '/v1/workflows/run', {
    plan,
    input: { who: 'world' },
    ...extra,
  });
  expect(started.status).toBe(202);
  return started.json as { runId: string };
}

async function deliveriesOf(gateway: Gateway, endpointId: string): Promise<WebhookDelivery[]> {
  return (await call(gateway, 'GET', `/v1/webhooks/${endpointId}/deliveries`)).json
    .deliveries as WebhookDelivery[];
}

describe('run webhooks, delivered by the dispatcher', () => {
  const engine = new TestEngine();
  let gateway: Gateway;
  let receiver: Receiver;

  beforeAll(async () => {
    await engine.open();
    receiver = await startReceiver();
    gateway = await engine.startGateway();
    await engine.startOrchestrator();
    await engine.startWorker();
    await engine.startWebhooks({ publicUrl: gateway.url });
  });

  afterAll(async () => {
    await engine.close();
    await receiver.close();
  });

  beforeEach(() => {
    receiver.received.length = 0;
    receiver.answers.length = 0;
  });

  it('signs deliveries so the standardwebhooks package verifies them, and only them', async () => {
    const created = await call(gateway, 'POST', '/v1/webhooks', {
      url: `${receiver.url}/endpoint`,
      events: ['run.completed'],
      description: 'all completions',
    });
    expect(created.status).toBe(201);
    const secret = created.json.secret as string;
    const endpointId = (created.json.webhook as { id: string }).id;
    expect(secret).toMatch(/^whsec_/);

    const { runId } = await startRun(gateway, HELLO_PLAN, {
      webhookUrl: `${receiver.url}/per-run`,
    });
    await waitFor(
      'two deliveries',
      async () => (receiver.received.length >= 2 ? true : undefined),
      {
        timeoutMs: 30_000,
        intervalMs: 50,
      },
    );

    const byPath = new Map(receiver.received.map((received) => [received.path, received]));
    const toEndpoint = byPath.get('/endpoint')!;
    const perRun = byPath.get('/per-run')!;
    const payload = new Webhook(secret).verify(toEndpoint.body, toEndpoint.headers) as {
      type: string;
      data: Record<string, unknown>;
    };
    expect(payload).toMatchObject({
      type: 'run.completed',
      data: {
        runId,
        status: 'completed',
        outputs: { greet: 'hello world' },
        error: null,
        statusUrl: `${gateway.url}/v1/workflows/runs/${runId}`,
      },
    });
    expect(payload.data.durationMs).toEqual(expect.any(Number));
    // The run's own webhookUrl is signed with the app's signing secret.
    new Webhook(gateway.webhookSecret).verify(perRun.body, perRun.headers);
    // The same event: one webhook-id for both receivers.
    expect(perRun.headers['webhook-id']).toBe(toEndpoint.headers['webhook-id']);

    expect(() =>
      new Webhook(secret).verify(
        toEndpoint.body.replace('hello world', 'hello there'),
        toEndpoint.headers,
      ),
    ).toThrow();
    expect(() =>
      new Webhook(gateway.webhookSecret).verify(toEndpoint.body, toEndpoint.headers),
    ).toThrow();
    const later = jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 10 * 60_000);
    try {
      expect(() => new Webhook(secret).verify(toEndpoint.body, toEndpoint.headers)).toThrow(
        /too old/,
      );
    } finally {
      later.mockRestore();
    }

    // The run shows its deliveries; the endpoint its log.
    const forRun = (await call(gateway, 'GET', `/v1/workflows/runs/${runId}/deliveries`)).json
      .deliveries as WebhookDelivery[];
    await waitFor(
      'both deliveries recorded',
      async () => {
        const deliveries = (await call(gateway, 'GET', `/v1/workflows/runs/${runId}/deliveries`))
          .json.deliveries as WebhookDelivery[];
        return deliveries.every((delivery) => delivery.status === 'delivered') ? true : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    expect(forRun).toHaveLength(2);
    expect((await deliveriesOf(gateway, endpointId))[0]).toMatchObject({
      runId,
      event: 'run.completed',
      endpointId,
    });

    // A failed run is not an event this endpoint subscribed to.
    await engine.waitForRun((await startRun(gateway, FAILING_PLAN)).runId);
    await call(gateway, 'DELETE', `/v1/webhooks/${endpointId}`);
    expect(receiver.received).toHaveLength(2);
  });

  it('retries a failing receiver on schedule under one webhook-id, and logs every attempt', async () => {
    const created = await call(gateway, 'POST', '/v1/webhooks', { url: `${receiver.url}/flaky` });
    const endpointId = (created.json.webhook as { id: string }).id;
    receiver.answers.push({ status: 500 }, { status: 503, headers: { 'retry-after': '0' } });

    const { runId } = await startRun(gateway, HELLO_PLAN);
    const delivered = await waitFor(
      'the third attempt to succeed',
      async () => {
        const [delivery] = await deliveriesOf(gateway, endpointId);
        return delivery?.status === 'delivered' ? delivery : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50 },
    );

    expect(delivered.runId).toBe(runId);
    expect(delivered.attempts.map((attempt) => attempt.status)).toEqual([500, 503, 204]);
    const ids = receiver.received.map((received) => received.headers['webhook-id']);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toBe(delivered.messageId);

    // Re-sent by hand: once more, still under the same id.
    const resent = await call(gateway, 'POST', `/v1/webhooks/deliveries/${delivered.id}/resend`);
    expect(resent.status).toBe(202);
    await waitFor(
      'the re-sent delivery',
      async () => (receiver.received.length === 4 ? true : undefined),
      {
        timeoutMs: 10_000,
        intervalMs: 50,
      },
    );
    expect(receiver.received[3]?.headers['webhook-id']).toBe(delivered.messageId);
    await call(gateway, 'DELETE', `/v1/webhooks/${endpointId}`);
  });

  it('gives up after the schedule, and disables an endpoint that answers 410', async () => {
    const flaky = await call(gateway, 'POST', '/v1/webhooks', { url: `${receiver.url}/down` });
    const flakyId = (flaky.json.webhook as { id: string }).id;
    receiver.answers.push(...Array.from({ length: 4 }, () => ({ status: 502 })));
    await startRun(gateway, HELLO_PLAN);
    const failed = await waitFor(
      'the delivery to give up',
      async () => {
        const [delivery] = await deliveriesOf(gateway, flakyId);
        return delivery?.status === 'failed' ? delivery : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    expect(failed).toMatchObject({ failure: 'attempts_exhausted' });
    expect(failed.attempts).toHaveLength(4);
    await call(gateway, 'DELETE', `/v1/webhooks/${flakyId}`);

    const gone = await call(gateway, 'POST', '/v1/webhooks', { url: `${receiver.url}/gone` });
    const goneId = (gone.json.webhook as { id: string }).id;
    receiver.answers.push({ status: 410 });
    await startRun(gateway, HELLO_PLAN);
    await waitFor(
      'the endpoint to be disabled',
      async () => {
        const { json } = await call(gateway, 'GET', `/v1/webhooks/${goneId}`);
        return (json.webhook as { enabled: boolean }).enabled ? undefined : json.webhook;
      },
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    expect((await deliveriesOf(gateway, goneId))[0]).toMatchObject({
      status: 'failed',
      failure: 'endpoint_gone',
    });
    const before = receiver.received.length;
    await engine.waitForRun((await startRun(gateway, HELLO_PLAN)).runId);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.received.length).toBe(before);
  });

  it('rotates a secret: both signatures during the grace period', async () => {
    const created = await call(gateway, 'POST', '/v1/webhooks', {
      url: `${receiver.url}/rotating`,
    });
    const id = (created.json.webhook as { id: string }).id;
    const rotated = await call(gateway, 'POST', `/v1/webhooks/${id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.json.secret).not.toBe(created.json.secret);
    await startRun(gateway, HELLO_PLAN);
    await waitFor('a delivery', async () => (receiver.received.length > 0 ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 50,
    });
    const [received] = receiver.received;
    expect(received!.headers['webhook-signature']?.split(' ')).toHaveLength(2);
    new Webhook(created.json.secret as string).verify(received!.body, received!.headers);
    new Webhook(rotated.json.secret as string).verify(received!.body, received!.headers);
    await call(gateway, 'DELETE', `/v1/webhooks/${id}`);
  });
});

describe('the SSRF guard on deliveries', () => {
  const engine = new TestEngine();
  let gateway: Gateway;
  let receiver: Receiver;

  beforeAll(async () => {
    await engine.open();
    receiver = await startReceiver();
    gateway = await engine.startGateway();
    await engine.startOrchestrator();
    await engine.startWorker();
    // Private targets refused, as in production.
    await engine.startWebhooks({ publicUrl: gateway.url, allowPrivate: false });
  });

  afterAll(async () => {
    await engine.close();
    await receiver.close();
  });

  it('refuses a hostname that resolves to a private address, at connect time', async () => {
    const port = new URL(receiver.url).port;
    // Accepted when made (names resolve only when delivering), refused when delivering.
    const { runId } = await startRun(gateway, HELLO_PLAN, {
      webhookUrl: `http://localhost:${port}/hook`,
    });
    const [delivery] = await waitFor(
      'the refused delivery',
      async () => {
        const deliveries = (await call(gateway, 'GET', `/v1/workflows/runs/${runId}/deliveries`))
          .json.deliveries as WebhookDelivery[];
        return deliveries[0]?.status === 'failed' ? deliveries : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    expect(delivery).toMatchObject({ failure: 'address_not_allowed' });
    expect(delivery?.attempts[0]?.error?.code).toBe('address_not_allowed');
    expect(receiver.received).toHaveLength(0);
  });
});

describe('a webhooks service killed mid-delivery', () => {
  const engine = new TestEngine();
  let gateway: Gateway;
  let receiver: Receiver;

  beforeAll(async () => {
    await engine.open();
    receiver = await startReceiver();
    gateway = await engine.startGateway();
    await engine.startOrchestrator();
    await engine.startWorker();
  });

  afterAll(async () => {
    await engine.close();
    await receiver.close();
  });

  it('loses nothing: the next process delivers the same message', async () => {
    const env = {
      PUBLIC_URL: gateway.url,
      WEBHOOK_ALLOW_PRIVATE: '1',
      WEBHOOK_TIMEOUT_MS: '10000',
      WEBHOOK_LEASE_MS: '11000',
      WEBHOOK_POLL_INTERVAL_MS: '100',
    };
    receiver.answers.push('hold');
    const first = engine.spawnService('webhooks', env);
    const { runId } = await startRun(gateway, HELLO_PLAN, { webhookUrl: `${receiver.url}/hook` });
    await waitFor(
      'the first attempt to arrive',
      async () => (receiver.received.length === 1 ? true : undefined),
      {
        timeoutMs: 60_000,
        intervalMs: 50,
      },
    );
    first.kill('SIGKILL');
    engine.spawnService('webhooks', env);

    const [delivery] = await waitFor(
      'the delivery after the restart',
      async () => {
        const deliveries = (await call(gateway, 'GET', `/v1/workflows/runs/${runId}/deliveries`))
          .json.deliveries as WebhookDelivery[];
        return deliveries[0]?.status === 'delivered' ? deliveries : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]?.headers['webhook-id']).toBe(
      receiver.received[0]?.headers['webhook-id'],
    );
    expect(delivery?.attempts.map((attempt) => attempt.status)).toEqual([204]);
  });
});
