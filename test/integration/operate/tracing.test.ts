import { randomBytes } from 'node:crypto';
import { startFakeCollector, type FakeCollector } from '../../fakes/otlp-server';
import { TestEngine } from '../../support/engine';
import { waitFor } from '../../support/test-infrastructure';

describe('one trace per run, across the services', () => {
  const engine = new TestEngine();
  let collector: FakeCollector;
  let gateway: Awaited<ReturnType<TestEngine['startGateway']>>;

  beforeAll(async () => {
    await engine.open();
    collector = await startFakeCollector();
    gateway = await engine.startGateway();
    const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url };
    engine.spawnService('orchestrator', otel);
    engine.spawnService('worker', { ...otel, STEP_TYPES: 'core/transform' });
  });

  afterAll(async () => {
    await engine.close();
    await collector.close();
  });

  it('carries the caller’s traceparent through Kafka to the orchestrator and the worker', async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const started = await fetch(`${gateway.url}/v1/workflows/run`, {
      method: 'POST',
      headers: {
        'X-API-Key': gateway.apiKey,
        'Content-Type': 'application/json',
        traceparent: `00-${traceId}-${callerSpan}-01`,
      },
      body: JSON.stringify({
        plan: {
          name: 'traced',
          dag: {
            nodes: {
              a: { task: 'core/transform', inputs: { value: 1 } },
              b: { task: 'core/transform', inputs: { value: 2 } },
            },
            edges: [{ from: 'a', to: 'b' }],
          },
        },
      }),
    });
    const { runId } = (await started.json()) as { runId: string };
    await engine.waitForRun(runId);

    const spans = await waitFor(
      'the spans of both services',
      async () => {
        const ours = collector.spans.filter((span) => span.traceId === traceId);
        const services = new Set(ours.map((span) => span.service));
        return services.has('weft-worker') &&
          services.has('weft-orchestrator') &&
          ours.filter((span) => span.name === 'weft.step core/transform').length === 2
          ? ours
          : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    const steps = spans.filter((span) => span.name === 'weft.step core/transform');
    expect(steps.map((span) => span.attributes['weft.node_id']).sort()).toEqual(['a', 'b']);
    expect(steps.every((span) => span.attributes['weft.run_id'] === runId)).toBe(true);
    // The worker's result is a child of its step span, applied by the orchestrator.
    const results = spans.filter((span) => span.name === 'weft.step.succeeded');
    expect(results.length).toBeGreaterThanOrEqual(2);
    expect(results.every((span) => steps.some((step) => step.spanId === span.parentSpanId))).toBe(
      true,
    );
    // With no tracing in this process, the gateway passes the caller's context on unchanged.
    expect(steps.every((span) => span.parentSpanId === callerSpan)).toBe(true);
  });
});
