import { readGatewayConfig, startGateway, type RunningGateway, type RunView } from '@weft/gateway';
import { createLogger } from '@weft/observability';
import { AppStore } from '@weft/store';
import { TestEngine } from '../../support/engine';
import { waitFor } from '../../support/test-infrastructure';

const plan = {
  name: 'Greeting',
  inputParameters: { name: { type: 'string', required: true } },
  steps: [
    { id: 'greet', type: 'core/transform', input: { value: 'Hello, ${input.name}' } },
    {
      id: 'wrap',
      type: 'core/transform',
      input: { value: { greeting: '${nodes.greet.result}', length: 2 } },
      dependsOn: ['greet'],
    },
  ],
};

describe('the gateway as main.ts starts it, with an orchestrator and a worker', () => {
  const engine = new TestEngine();
  let gateway: RunningGateway;
  let apiKey: string;

  beforeAll(async () => {
    await engine.open();
    const config = readGatewayConfig({
      KAFKA_BROKERS: process.env.KAFKA_BROKERS,
      MONGODB_URI: engine.mongoUri,
      WEFT_KAFKA_NAMESPACE: engine.namespace,
      PORT: '0',
      PUBLIC_URL: 'https://api.example.test/',
    });
    gateway = await startGateway(config, { log: createLogger('gateway', { level: 'error' }) });
    // The gateway first: it creates the engine's topics and waits for their leaders.
    await Promise.all([engine.startOrchestrator(), engine.startWorker()]);
    ({ apiKey } = await new AppStore(engine.connection).createApp('end to end'));
  });

  afterAll(async () => {
    await gateway.close();
    await engine.close();
  });

  it('answers /healthz and runs a workflow from POST to completed at its statusUrl', async () => {
    expect(await (await fetch(`${gateway.url}/healthz`)).json()).toEqual({ status: 'ok' });

    const headers = { 'x-api-key': apiKey, 'content-type': 'application/json' };
    const started = await fetch(`${gateway.url}/v1/workflows/run`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ plan, input: { name: 'Ada' } }),
    });
    expect(started.status).toBe(202);
    const { runId, statusUrl } = (await started.json()) as { runId: string; statusUrl: string };
    // PUBLIC_URL names the API as its users reach it; this test reaches it directly.
    expect(statusUrl).toBe(`https://api.example.test/v1/workflows/runs/${runId}`);
    const local = statusUrl.replace('https://api.example.test', gateway.url);

    const done = await waitFor(
      `run ${runId} to complete`,
      async () => {
        const view = (await (await fetch(local, { headers })).json()) as RunView;
        return view.status === 'completed' || view.status === 'failed' ? view : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    expect(done).toMatchObject({
      status: 'completed',
      outputs: { greet: 'Hello, Ada', wrap: { greeting: 'Hello, Ada', length: 2 } },
      nodes: {
        greet: { status: 'completed', attempt: 1, durationMs: expect.any(Number) as unknown },
        wrap: { status: 'completed', attempt: 1, result: { greeting: 'Hello, Ada', length: 2 } },
      },
      error: null,
      durationMs: expect.any(Number) as unknown,
    });
    expect(Date.parse(done.finishedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(done.createdAt));
  });

  it('stops accepting connections when closed', async () => {
    const url = gateway.url;
    await gateway.close();
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    // afterAll closes again: closing twice must be harmless.
  });
});
