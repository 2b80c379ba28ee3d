import { AppStore } from '@weft/store';
import { startFakeFal, type FakeFal } from '../../fakes/fal-server';
import { startFakeOpenAi, type FakeOpenAi } from '../../fakes/openai-server';
import { TestEngine } from '../../support/engine';
import { waitFor } from '../../support/test-infrastructure';
import { createStepHandlers, stepServices } from './step-services';

/** The "Prompt to Video" workflow exactly as seed 000 posts it to create a workflow. */
const SEED_PROMPT_TO_VIDEO = JSON.parse(`{
  "name": "Prompt to Video",
  "description": "Enhance a prompt with an LLM, then generate a video from it",
  "dag": {
    "nodes": {
      "enhance": {
        "model_id": "Qwen/Qwen3.5-4B",
        "task": "openai/chat-completion",
        "inputs": {
          "messages": [
            { "role": "system", "content": "Rewrite the following prompt to be more detailed and cinematic for video generation." },
            { "role": "user", "content": "\${input.prompt}" }
          ]
        },
        "outputs": ["choices[0].message.content"]
      },
      "generate_video": {
        "model_id": "fal-ai/wan/v2.2-5b",
        "task": "fal/text-to-video",
        "inputs": {
          "prompt": "\${nodes.enhance.result.choices[0].message.content}",
          "num_frames": 81,
          "fps": 16
        },
        "outputs": ["video.url"]
      }
    },
    "edges": [ {"from": "enhance", "to": "generate_video"} ]
  }
}`) as Record<string, unknown>;

interface RunView {
  runId: string;
  status: string;
  statusUrl: string;
  nodes: Record<string, { status: string; attempts?: number; attempt?: number }>;
  outputs: Record<string, Record<string, unknown>> | null;
}

async function api(
  url: string,
  apiKey: string,
  method: string,
  body?: unknown,
): Promise<{ status: number; json: unknown; response: Response }> {
  const response = await fetch(url, {
    method,
    headers: {
      'x-api-key': apiKey,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const type = response.headers.get('content-type') ?? '';
  const json: unknown = type.includes('json') ? await response.json() : undefined;
  return { status: response.status, json, response };
}

async function waitForEnd(statusUrl: string, apiKey: string): Promise<RunView> {
  return waitFor(
    `the run at ${statusUrl} to end`,
    async () => {
      const { json } = await api(statusUrl, apiKey, 'GET');
      const run = json as RunView;
      return ['completed', 'failed', 'cancelled', 'timed_out'].includes(run.status)
        ? run
        : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
}

describe('the seed’s Prompt to Video against OpenAI-compatible and fal servers', () => {
  const engine = new TestEngine();
  let openai: FakeOpenAi;
  let fal: FakeFal;
  let gateway: Awaited<ReturnType<TestEngine['startGateway']>>;

  beforeAll(async () => {
    await engine.open();
    [openai, fal] = await Promise.all([
      startFakeOpenAi({ apiKey: 'sk-e2e' }),
      startFakeFal({ key: 'fal-e2e', pollsBeforeComplete: 3 }),
    ]);
    gateway = await engine.startGateway();
    const services = await stepServices(engine.connection, {
      OPENAI_BASE_URL: openai.url,
      OPENAI_API_KEY: 'sk-e2e',
      FAL_BASE_URL: fal.url,
      FAL_KEY: 'fal-e2e',
      FAL_POLL_INTERVAL_MS: '20',
    });
    await engine.startOrchestrator();
    await engine.startWorker({ handlers: createStepHandlers(services) });
  });

  afterAll(async () => {
    await engine.close();
    await Promise.all([openai.close(), fal.close()]);
  });

  it('runs end to end, retrying the rate-limited LLM call and going through fal’s queue', async () => {
    openai.failNext(1, { status: 429, headers: { 'retry-after': '1' } });
    const prompt = 'a cat playing piano in a jazz bar';
    const started = await api(`${gateway.url}/v1/workflows/run`, gateway.apiKey, 'POST', {
      plan: SEED_PROMPT_TO_VIDEO,
      input: { prompt },
    });
    expect(started.status).toBe(202);
    const { runId, statusUrl } = started.json as RunView;

    const run = await waitForEnd(statusUrl, gateway.apiKey);

    expect(run.status).toBe('completed');
    expect(engine.executionsOf(runId, 'enhance')).toBe(2);
    expect(engine.executionsOf(runId, 'generate_video')).toBe(1);
    const chats = openai.requests.filter((request) => request.path === '/v1/chat/completions');
    expect(chats).toHaveLength(2);
    expect(chats[1]?.json).toMatchObject({
      model: 'Qwen/Qwen3.5-4B',
      messages: [{ role: 'system' }, { role: 'user', content: prompt }],
    });
    const [job] = fal.jobs;
    expect(job).toMatchObject({
      modelId: 'fal-ai/wan/v2.2-5b',
      input: { prompt: `Fake completion for: ${prompt}`, num_frames: 81, fps: 16 },
      statuses: ['IN_QUEUE', 'IN_PROGRESS', 'IN_PROGRESS', 'COMPLETED'],
      resultFetches: 1,
    });
    const video = run.outputs?.generate_video?.video as { url: string };
    expect(video.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\/.+\.mp4$/);
    expect(run.outputs?.enhance).toMatchObject({
      choices: [{ message: { content: `Fake completion for: ${prompt}` } }],
    });
  });
});

describe('image-generate-v1 on the local provider, in a real worker process', () => {
  const engine = new TestEngine();
  let gateway: Awaited<ReturnType<TestEngine['startGateway']>>;

  beforeAll(async () => {
    await engine.open();
    gateway = await engine.startGateway();
    await engine.startOrchestrator();
    // The built worker as `npm start` runs it: no provider keys, so every step is local.
    engine.spawnService('worker', {
      PUBLIC_URL: gateway.url,
      OPENAI_API_KEY: '',
      OPENAI_BASE_URL: '',
      FAL_KEY: '',
      FAL_BASE_URL: '',
    });
  });

  afterAll(() => engine.close());

  it('generates, enriches, moderates, stores and notifies; the gateway serves the PNG', async () => {
    const started = await api(`${gateway.url}/v1/workflows/run`, gateway.apiKey, 'POST', {
      workflowSlug: 'image-generate-v1',
      input: { prompt: 'a lighthouse at dusk', size: '256x192' },
    });
    expect(started.status).toBe(202);
    const run = await waitForEnd((started.json as RunView).statusUrl, gateway.apiKey);

    expect(run.status).toBe('completed');
    const generated = run.outputs?.generate?.images as { url: string; width: number }[];
    expect(generated[0]).toMatchObject({ width: 256, height: 192, content_type: 'image/png' });
    const imageUrl = generated[0]!.url;
    expect(imageUrl.startsWith(`${gateway.url}/v1/artifacts/art_`)).toBe(true);

    const image = await fetch(imageUrl, { headers: { 'x-api-key': gateway.apiKey } });
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await image.arrayBuffer());
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    expect(Number(image.headers.get('content-length'))).toBe(bytes.length);

    expect(run.outputs?.enrich).toMatchObject({ width: 256, height: 192, format: 'png' });
    expect(run.outputs?.moderate).toMatchObject({ flagged: false, checked: ['text'] });
    expect(run.outputs?.notify).toEqual({ delivered: 0, deliveries: [] });

    const stored = await api(
      `${gateway.url}/v1/collections/images/documents`,
      gateway.apiKey,
      'GET',
    );
    expect(stored.status).toBe(200);
    const documents = (stored.json as { documents: { id: string; document: unknown }[] }).documents;
    expect(documents).toEqual([
      expect.objectContaining({
        id: run.outputs?.store?.id,
        document: expect.objectContaining({
          prompt: 'a lighthouse at dusk',
          url: imageUrl,
          width: 256,
          caption: run.outputs?.enrich?.caption,
        }) as unknown,
      }),
    ]);

    // Another app's key finds neither the image nor the collection's documents.
    const other = await new AppStore(engine.connection).createApp('another app');
    expect((await fetch(imageUrl, { headers: { 'x-api-key': other.apiKey } })).status).toBe(404);
    const foreign = await api(
      `${gateway.url}/v1/collections/images/documents`,
      other.apiKey,
      'GET',
    );
    expect(foreign.json).toEqual({ documents: [] });
    expect((await fetch(imageUrl)).status).toBe(401);
  });
});
