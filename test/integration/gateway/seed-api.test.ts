import { startFakeFal, type FakeFal } from '../../fakes/fal-server';
import { startFakeOpenAi, type FakeOpenAi } from '../../fakes/openai-server';
import { TestEngine } from '../../support/engine';
import { parseServerSentEvents, type ReadEvent } from '../../support/server-sent-events';
import { waitFor } from '../../support/test-infrastructure';
import { createStepHandlers, stepServices } from '../steps/step-services';

type Gateway = Awaited<ReturnType<TestEngine['startGateway']>>;

/** Seed 000's "Create a workflow" body, as written. */
const SEED_000_CREATE = `{ "name": "Prompt to Video", "description": "Enhance a prompt with an LLM, then generate a video from it", "dag": { "nodes": { "enhance": { "model_id": "Qwen/Qwen3.5-4B", "task": "openai/chat-completion", "inputs": { "messages": [ { "role": "system", "content": "Rewrite the following prompt to be more detailed and cinematic for video generation." }, { "role": "user", "content": "\${input.prompt}" } ] }, "outputs": ["choices[0].message.content"] }, "generate_video": { "model_id": "fal-ai/wan/v2.2-5b", "task": "fal/text-to-video", "inputs": { "prompt": "\${nodes.enhance.result.choices[0].message.content}", "num_frames": 81, "fps": 16 }, "outputs": ["video.url"] } }, "edges": [ {"from": "enhance", "to": "generate_video"} ] } }`;
/** Seed 000's "Execute a workflow" body. */
const SEED_000_EXECUTE = `{ "input_params": { "prompt": "a cat playing piano in a jazz bar" } }`;

/** Sends a request as curl would: the body as written, the key as the seed's header says. */
async function curl(
  gateway: Gateway,
  method: string,
  path: string,
  options: { body?: string; header?: 'bearer' | 'x-api-key' } = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const auth: Record<string, string> =
    options.header === 'x-api-key'
      ? { 'X-API-Key': gateway.apiKey }
      : { Authorization: `Bearer ${gateway.apiKey}` };
  const response = await fetch(path.startsWith('http') ? path : gateway.url + path, {
    method,
    headers: {
      ...auth,
      ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  const text = await response.text();
  return {
    status: response.status,
    json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
  };
}

/** Reads a Server-Sent Events stream to its end. */
async function readEvents(url: string, apiKey: string): Promise<ReadEvent[]> {
  const response = await fetch(url, { headers: { 'X-API-Key': apiKey } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  return parseServerSentEvents(await response.text());
}

describe('the seeds’ API requests, sent as written', () => {
  const engine = new TestEngine();
  let gateway: Gateway;
  let openai: FakeOpenAi;
  let fal: FakeFal;

  beforeAll(async () => {
    await engine.open();
    [openai, fal] = await Promise.all([
      startFakeOpenAi(),
      startFakeFal({ pollsBeforeComplete: 1 }),
    ]);
    gateway = await engine.startGateway();
    const services = await stepServices(engine.connection, {
      OPENAI_BASE_URL: openai.url,
      FAL_BASE_URL: fal.url,
      FAL_KEY: 'fal-test',
      FAL_POLL_INTERVAL_MS: '20',
    });
    await engine.startOrchestrator();
    await engine.startWorker({
      handlers: createStepHandlers({ ...services, publicUrl: gateway.url }),
    });
  });

  afterAll(async () => {
    await engine.close();
    await Promise.all([openai.close(), fal.close()]);
  });

  it('seed 000: create a workflow, execute it, poll the execution until it completes', async () => {
    const created = await curl(gateway, 'POST', '/api/workflows', { body: SEED_000_CREATE });
    expect(created.status).toBe(201);
    const workflow = created.json.workflow as Record<string, unknown>;
    expect(workflow).toMatchObject({
      id: expect.stringMatching(/^wf_/) as unknown,
      organization_id: gateway.appId,
      name: 'Prompt to Video',
      dag: {
        nodes: { enhance: { task: 'openai/chat-completion' }, generate_video: {} },
        edges: [{ from: 'enhance', to: 'generate_video' }],
      },
      created_at: expect.any(Number) as unknown,
      updated_at: expect.any(Number) as unknown,
    });
    expect(workflow.created_at).toBeLessThan(Date.now() / 1000 + 1);
    expect(created.json.diagnostics).toEqual({ type_issues: [], warnings: [] });

    const executed = await curl(gateway, 'POST', `/api/workflows/${String(workflow.id)}/execute`, {
      body: SEED_000_EXECUTE,
    });
    expect(executed.status).toBe(201);
    const execution = executed.json.execution as Record<string, unknown>;
    expect(execution).toMatchObject({
      id: expect.stringMatching(/^run_/) as unknown,
      workflow_id: workflow.id,
      organization_id: gateway.appId,
      status: 'pending',
      input_params: { prompt: 'a cat playing piano in a jazz bar' },
      outputs: null,
      error: null,
      created_at: expect.any(Number) as unknown,
      updated_at: expect.any(Number) as unknown,
    });

    const done = await waitFor(
      'the execution to complete',
      async () => {
        const polled = await curl(
          gateway,
          'GET',
          `/api/workflow-executions/${String(execution.id)}`,
        );
        const current = polled.json.execution as { status: string };
        return current.status === 'completed' ? current : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(done).toMatchObject({
      outputs: {
        enhance: { choices: [{ message: { content: expect.any(String) as unknown } }] },
        generate_video: { video: { url: expect.any(String) as unknown } },
      },
      nodes: {
        enhance: {
          status: 'completed',
          started_at: expect.any(Number) as unknown,
          finished_at: expect.any(Number) as unknown,
          error: null,
        },
        generate_video: { status: 'completed', output: { video: {} } },
      },
      finished_at: expect.any(Number) as unknown,
    });

    const listed = await curl(gateway, 'GET', `/api/workflows/${String(workflow.id)}/executions`);
    expect((listed.json.executions as { id: string }[]).map((e) => e.id)).toEqual([execution.id]);
  });

  it('seed 004: start image-generate-v1 by slug with X-API-Key, poll the statusUrl', async () => {
    const started = await curl(gateway, 'POST', '/v1/workflows/run', {
      header: 'x-api-key',
      body: `{
"appId": "${gateway.appId}",
"workflowSlug": "image-generate-v1",
"input": {
"prompt": "A beautiful sunset",
"size": "1024x1024"
}
}`,
    });
    expect(started.status).toBe(202);
    const statusUrl = String(started.json.statusUrl);
    const run = await waitFor(
      'the run to end',
      async () => {
        const polled = await curl(gateway, 'GET', statusUrl, { header: 'x-api-key' });
        return ['completed', 'failed'].includes(String(polled.json.status))
          ? polled.json
          : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(run).toMatchObject({ status: 'completed', runId: started.json.runId });
  });

  it('is one model with /v1: workflows run by id either way, and list on both sides', async () => {
    const viaApi = await curl(gateway, 'POST', '/api/workflows', {
      body: JSON.stringify({
        name: 'Greeter',
        input_parameters: { who: { type: 'string', required: true } },
        dag: {
          nodes: { greet: { task: 'core/transform', inputs: { value: 'hi ${input.who}' } } },
          edges: [],
        },
      }),
    });
    const apiWorkflow = viaApi.json.workflow as { id: string; slug: string };
    const byId = await curl(gateway, 'POST', '/v1/workflows/run', {
      body: JSON.stringify({ workflowId: apiWorkflow.id, input: { who: 'v1' } }),
    });
    expect(byId.status).toBe(202);
    const ran = await engine.waitForRun(String(byId.json.runId));
    expect(ran).toMatchObject({ status: 'completed', workflow: { id: apiWorkflow.id } });

    const viaV1 = await curl(gateway, 'POST', '/v1/workflows', {
      body: JSON.stringify({
        slug: 'saved-on-v1',
        definition: {
          name: 'Saved on v1',
          dag: { nodes: { n: { task: 'core/transform', inputs: { value: 1 } } }, edges: [] },
        },
      }),
    });
    expect(viaV1.status).toBe(201);
    const listed = await curl(gateway, 'GET', '/api/workflows');
    const slugs = (listed.json.workflows as { slug: string; id: string }[]).map((w) => w.slug);
    expect(slugs).toEqual(expect.arrayContaining([apiWorkflow.slug, 'saved-on-v1']));
    const v1Id = (listed.json.workflows as { slug: string; id: string }[]).find(
      (w) => w.slug === 'saved-on-v1',
    )!.id;
    const executed = await curl(gateway, 'POST', `/api/workflows/${v1Id}/execute`, { body: '{}' });
    expect(executed.status).toBe(201);

    // PUT makes a new version; DELETE removes it from both faces.
    const updated = await curl(gateway, 'PUT', `/api/workflows/${apiWorkflow.id}`, {
      body: JSON.stringify({
        name: 'Greeter v2',
        input_parameters: { who: { type: 'string', required: true } },
        dag: {
          nodes: { greet: { task: 'core/transform', inputs: { value: 'hello ${input.who}' } } },
          edges: [],
        },
      }),
    });
    expect(updated.json.workflow).toMatchObject({
      id: apiWorkflow.id,
      version: 2,
      name: 'Greeter v2',
    });
    expect((await curl(gateway, 'DELETE', `/api/workflows/${apiWorkflow.id}`)).status).toBe(204);
    expect((await curl(gateway, 'GET', `/api/workflows/${apiWorkflow.id}`)).status).toBe(404);
    const gone = await curl(gateway, 'POST', '/v1/workflows/run', {
      body: JSON.stringify({ workflowId: apiWorkflow.id, input: { who: 'x' } }),
    });
    expect(gone.json).toMatchObject({ error: { code: 'workflow_not_found' } });
  });

  it('refuses definitions with errors (422 with diagnostics) and bad input, storing nothing', async () => {
    const before = await engine.connection.collection('workflows').countDocuments();
    const refused = await curl(gateway, 'POST', '/api/workflows', {
      body: JSON.stringify({
        name: 'Broken',
        dag: {
          nodes: { a: { task: 'no/such-task', inputs: {} } },
          edges: [{ from: 'a', to: 'b' }],
        },
      }),
    });
    expect(refused.status).toBe(422);
    expect(refused.json).toMatchObject({
      error: {
        code: 'invalid_definition',
        details: { diagnostics: { errors: expect.any(Array) as unknown } },
      },
    });
    expect(await engine.connection.collection('workflows').countDocuments()).toBe(before);
    expect((await curl(gateway, 'POST', '/api/workflows', { body: '[1]' })).status).toBe(400);
    expect((await curl(gateway, 'GET', '/api/workflow-executions/run_nope')).status).toBe(404);
  });
});

describe('live run status over Server-Sent Events', () => {
  const engine = new TestEngine();
  let gateway: Gateway;

  beforeAll(async () => {
    await engine.open();
    gateway = await engine.startGateway();
    await engine.startOrchestrator();
    await engine.startWorker();
  });

  afterAll(() => engine.close());

  it('streams a snapshot, every node and run transition, and ends at the terminal state', async () => {
    const started = await curl(gateway, 'POST', '/v1/workflows/run', {
      body: JSON.stringify({
        plan: {
          name: 'two steps',
          dag: {
            nodes: {
              wait: { task: 'core/delay', inputs: { ms: 300 } },
              after: { task: 'core/delay', inputs: { ms: 300 } },
            },
            edges: [{ from: 'wait', to: 'after' }],
          },
        },
      }),
    });
    const runId = String(started.json.runId);
    const events = await readEvents(
      `${gateway.url}/v1/workflows/runs/${runId}/events`,
      gateway.apiKey,
    );

    expect(events[0]?.event).toBe('snapshot');
    expect(events.at(-1)).toMatchObject({ event: 'end', data: { runId, status: 'completed' } });
    const nodeEvents = events.filter((e) => e.event === 'node');
    const statusesOf = (nodeId: string) =>
      nodeEvents.filter((e) => e.data.nodeId === nodeId).map((e) => e.data.status);
    expect(statusesOf('after')).toContain('completed');
    expect(statusesOf('wait').at(-1)).toBe('completed');
    expect(events.filter((e) => e.event === 'run').at(-1)?.data).toMatchObject({
      status: 'completed',
    });
    // While `after` waits, the watcher reads the run without `wait`, settled: the end still shows it.
    const view = await curl(gateway, 'GET', `/v1/workflows/runs/${runId}`);
    expect(events.at(-1)?.data).toEqual(view.json);

    // A run that already ended: its snapshot, then its end.
    const again = await readEvents(
      `${gateway.url}/v1/workflows/runs/${runId}/events`,
      gateway.apiKey,
    );
    expect(again.map((e) => e.event)).toEqual(['snapshot', 'end']);
    const missing = await fetch(`${gateway.url}/v1/workflows/runs/run_nope/events`, {
      headers: { 'X-API-Key': gateway.apiKey },
    });
    expect(missing.status).toBe(404);
  });
});
