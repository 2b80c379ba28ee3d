import { TestEngine } from '../../support/engine';
import { waitFor } from '../../support/test-infrastructure';

const PLAN = {
  name: 'stuck',
  dag: {
    nodes: {
      unserved: { task: 'enrich_text', inputs: { text: 'hello there' } },
      flaky: {
        task: 'core/fail',
        inputs: { code: 'provider_rate_limited', fail_attempts: 1 },
        retry: { initial_delay_ms: 60_000, max_delay_ms: 60_000 },
      },
    },
    edges: [],
  },
};

type Gateway = Awaited<ReturnType<TestEngine['startGateway']>>;

interface NodeView {
  status: string;
  waiting?: { reason: string; message: string; until?: string; topic?: string };
}

async function nodesOf(gateway: Gateway, runId: string): Promise<Record<string, NodeView>> {
  const response = await fetch(`${gateway.url}/v1/workflows/runs/${runId}`, {
    headers: { 'X-API-Key': gateway.apiKey },
  });
  return ((await response.json()) as { nodes: Record<string, NodeView> }).nodes;
}

describe('a run says why it is waiting', () => {
  const engine = new TestEngine();
  let gateway: Gateway;

  beforeAll(async () => {
    await engine.open();
    gateway = await engine.startGateway();
    await engine.startOrchestrator();
    // Only the engine's own steps are served: nobody runs enrich_text here.
    await engine.startWorker();
  });

  afterAll(() => engine.close());

  it('names a step type no worker serves, and a retry waiting out its backoff', async () => {
    const started = await fetch(`${gateway.url}/v1/workflows/run`, {
      method: 'POST',
      headers: { 'X-API-Key': gateway.apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ plan: PLAN }),
    });
    const run = { id: ((await started.json()) as { runId: string }).runId };

    const nodes = await waitFor(
      'both nodes to be explained',
      async () => {
        const current = await nodesOf(gateway, run.id);
        return current.unserved?.waiting && current.flaky?.status === 'retrying'
          ? current
          : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(nodes.unserved).toMatchObject({
      status: 'queued',
      waiting: {
        reason: 'no_worker',
        topic: 'weft.steps.enrich_text',
        message: expect.stringContaining('no worker serves enrich_text') as unknown,
      },
    });
    expect(nodes.flaky).toMatchObject({
      status: 'retrying',
      waiting: { reason: 'rate_limited', until: expect.any(String) as unknown },
    });
    expect(Date.parse(nodes.flaky!.waiting!.until!)).toBeGreaterThan(Date.now());
  });
});
