import type { Connection } from 'mongoose';
import { listTaskTypes } from '@weft/core';
import { readArtifact } from '@weft/store';
import type { StepHandler } from '@weft/worker';
import { startFakeFal, type FakeFal } from '../../fakes/fal-server';
import { fakeEmbedding, startFakeOpenAi, type FakeOpenAi } from '../../fakes/openai-server';
import { connectDatabase, dropDatabase } from '../../support/test-infrastructure';
import { createStepHandlers, runStep, stepServices, TEST_PUBLIC_URL } from './step-services';

const OPENAI_KEY = 'sk-test-never-logged';
const FAL_KEY = 'fal-test-never-logged';

let connection: Connection;
let openai: FakeOpenAi;
let fal: FakeFal;
let handlers: Readonly<Record<string, StepHandler>>;
let services: Awaited<ReturnType<typeof stepServices>>;

beforeAll(async () => {
  connection = await connectDatabase();
  [openai, fal] = await Promise.all([
    startFakeOpenAi({ apiKey: OPENAI_KEY }),
    startFakeFal({ key: FAL_KEY, pollsBeforeComplete: 2 }),
  ]);
  services = await stepServices(connection, {
    OPENAI_BASE_URL: openai.url,
    OPENAI_API_KEY: OPENAI_KEY,
    FAL_BASE_URL: fal.url,
    FAL_KEY,
    FAL_POLL_INTERVAL_MS: '10',
  });
  handlers = createStepHandlers(services);
});

afterAll(async () => {
  await Promise.all([openai.close(), fal.close()]);
  await dropDatabase(connection);
});

beforeEach(() => {
  openai.reset();
  fal.reset();
});

/** A provider-backed case: the task, its node's model and inputs, and what a success holds. */
interface ProviderCase {
  task: string;
  model?: string;
  inputs: Record<string, unknown>;
  provider: 'openai' | 'fal';
  check: (result: Record<string, unknown>) => Promise<void> | void;
}

const audioArtifact = async (): Promise<string> => {
  const info = await services.artifacts.put({
    appId: 'app_steps',
    bytes: Buffer.from('ID3 fake mp3 bytes'),
    contentType: 'audio/mpeg',
  });
  return `${TEST_PUBLIC_URL}/v1/artifacts/${info.id}`;
};

const CASES: ProviderCase[] = [
  {
    task: 'openai/chat-completion',
    model: 'gpt-4o-mini',
    inputs: { messages: [{ role: 'user', content: 'a cat at a piano' }], temperature: 0.2 },
    provider: 'openai',
    check: (result) => {
      expect(result).toMatchObject({
        choices: [{ message: { content: 'Fake completion for: a cat at a piano' } }],
      });
      expect(openai.requests.at(-1)?.json).toMatchObject({
        model: 'gpt-4o-mini',
        temperature: 0.2,
      });
    },
  },
  {
    task: 'openai/embeddings',
    model: 'text-embedding-3-small',
    inputs: { input: ['first', 'second'] },
    provider: 'openai',
    check: (result) => {
      expect(result).toEqual({
        data: [
          { embedding: fakeEmbedding('first'), index: 0 },
          { embedding: fakeEmbedding('second'), index: 1 },
        ],
        model: expect.any(String) as unknown,
      });
    },
  },
  {
    task: 'text_generate',
    inputs: { prompt: 'Say hello', system: 'Be brief' },
    provider: 'openai',
    check: (result) => {
      expect(result).toEqual({ text: 'Fake completion for: Say hello' });
      expect(openai.requests.at(-1)?.json).toMatchObject({
        model: 'gpt-4o-mini',
        messages: [
          { role: 'system', content: 'Be brief' },
          { role: 'user', content: 'Say hello' },
        ],
      });
    },
  },
  {
    task: 'image_generate',
    inputs: { prompt: 'a red fox', size: '512x512', n: 1 },
    provider: 'fal',
    check: (result) => {
      const images = result.images as { url: string; width: number }[];
      expect(images).toHaveLength(1);
      expect(images[0]?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\//);
      expect(fal.jobs.at(-1)).toMatchObject({
        modelId: 'fal-ai/flux/schnell',
        input: { prompt: 'a red fox', image_size: { width: 512, height: 512 }, num_images: 1 },
      });
    },
  },
  {
    task: 'fal/text-to-image',
    model: 'fal-ai/flux/dev',
    inputs: { prompt: 'a lighthouse', image_size: 'square_hd' },
    provider: 'fal',
    check: (result) => {
      expect((result.images as unknown[]).length).toBeGreaterThan(0);
      expect(fal.jobs.at(-1)?.input).toEqual({ prompt: 'a lighthouse', image_size: 'square_hd' });
    },
  },
  {
    task: 'fal/image-to-image',
    model: 'fal-ai/flux/dev/image-to-image',
    inputs: { image_url: 'https://cdn.example/cat.png', prompt: 'make it blue' },
    provider: 'fal',
    check: (result) => {
      expect((result.images as unknown[]).length).toBeGreaterThan(0);
      expect(fal.jobs.at(-1)?.input).toMatchObject({ image_url: 'https://cdn.example/cat.png' });
    },
  },
  ...[
    ['fal/text-to-video', 'fal-ai/wan/v2.2-5b', { prompt: 'waves', num_frames: 81, fps: 16 }],
    [
      'fal/image-to-video',
      'fal-ai/wan/v2.2-5b/image-to-video',
      { image_url: 'https://cdn.example/a.png', prompt: 'zoom' },
    ],
    [
      'fal/speech-to-video',
      'fal-ai/wan/v2.2-14b/speech-to-video',
      { audio_url: 'https://cdn.example/a.mp3' },
    ],
    ['fal/video-interpolation', 'fal-ai/rife/video', { video_url: 'https://cdn.example/a.mp4' }],
  ].map(([task, model, inputs]): ProviderCase => ({
    task: task as string,
    model: model as string,
    inputs: inputs as Record<string, unknown>,
    provider: 'fal',
    check: (result) => {
      expect(result).toMatchObject({ video: { url: expect.any(String) as unknown } });
      const job = fal.jobs.at(-1);
      expect(job?.modelId).toBe(model);
      // Through the queue: it was seen waiting and running before its result was fetched.
      expect(job?.statuses).toEqual(['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED']);
      expect(job?.resultFetches).toBe(1);
    },
  })),
  {
    task: 'openai/audio-speech',
    model: 'tts-1',
    inputs: { input: 'Hello there', voice: 'alloy' },
    provider: 'openai',
    check: async (result) => {
      expect(result.content_type).toBe('audio/mpeg');
      const id = String(result.audio_url).replace(`${TEST_PUBLIC_URL}/v1/artifacts/`, '');
      const stored = await readArtifact(services.artifacts, 'app_steps', id);
      expect(stored?.bytes.length).toBeGreaterThan(0);
      expect(stored?.info).toMatchObject({ contentType: 'audio/mpeg', nodeId: 'node' });
    },
  },
  {
    task: 'openai/audio-transcription',
    model: 'whisper-1',
    inputs: { audio_url: 'artifact:audio', language: 'en' },
    provider: 'openai',
    check: (result) => {
      expect(result).toMatchObject({ text: expect.any(String) as unknown });
      const form = openai.requests.at(-1)?.form;
      expect(form).toMatchObject({
        model: 'whisper-1',
        language: 'en',
        file: { filename: 'audio.mp3', contentType: 'audio/mpeg', size: 18 },
      });
    },
  },
  {
    task: 'search_similar',
    inputs: { index: 'empty', text: 'anything' },
    provider: 'openai',
    check: (result) => {
      expect(result).toEqual({ matches: [] });
      expect(openai.requests.at(-1)?.json).toMatchObject({
        model: 'text-embedding-3-small',
        input: ['anything'],
      });
    },
  },
];

async function inputsOf(testCase: ProviderCase): Promise<Record<string, unknown>> {
  return testCase.inputs.audio_url === 'artifact:audio'
    ? { ...testCase.inputs, audio_url: await audioArtifact() }
    : testCase.inputs;
}

function fake(testCase: ProviderCase): FakeOpenAi | FakeFal {
  return testCase.provider === 'openai' ? openai : fal;
}

describe.each(CASES)('$task', (testCase) => {
  const options = testCase.model !== undefined ? { model_id: testCase.model } : {};

  it('succeeds against the provider with the output its schema promises', async () => {
    const outcome = await runStep(handlers, testCase.task, await inputsOf(testCase), options);
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.error));
    await testCase.check(outcome.result as Record<string, unknown>);
    const sent = fake(testCase).requests.find((request) => request.method === 'POST');
    expect(sent?.headers.authorization).toBe(
      testCase.provider === 'openai' ? `Bearer ${OPENAI_KEY}` : `Key ${FAL_KEY}`,
    );
  });

  it('refuses inputs that break its schema without calling the provider', async () => {
    const missing = await runStep(handlers, testCase.task, {}, options);
    const mistyped = await runStep(
      handlers,
      testCase.task,
      Object.fromEntries(Object.keys(testCase.inputs).map((key) => [key, { wrong: true }])),
      options,
    );
    for (const outcome of [missing, mistyped]) {
      expect(outcome).toEqual({
        ok: false,
        error: expect.objectContaining({ code: 'invalid_input', retryable: false }) as unknown,
      });
    }
    expect(fake(testCase).requests).toHaveLength(0);
  });

  it('is retryable on a 429, waiting as long as Retry-After asks', async () => {
    fake(testCase).failNext(1, { status: 429, headers: { 'retry-after': '7' } });
    const outcome = await runStep(handlers, testCase.task, await inputsOf(testCase), options);
    expect(outcome).toEqual({
      ok: false,
      error: expect.objectContaining({
        code: 'provider_rate_limited',
        retryable: true,
        retryAfterMs: 7000,
      }) as unknown,
    });
    expect(JSON.stringify(outcome)).not.toContain('never-logged');
  });

  it('is retryable on a 5xx', async () => {
    fake(testCase).failNext(1, { status: 503 });
    const outcome = await runStep(handlers, testCase.task, await inputsOf(testCase), options);
    expect(outcome).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'provider_unavailable', retryable: true }) as unknown,
    });
  });

  it('is not retryable on a 4xx', async () => {
    fake(testCase).failNext(1, { status: 400 });
    const outcome = await runStep(handlers, testCase.task, await inputsOf(testCase), options);
    expect(outcome).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'provider_rejected', retryable: false }) as unknown,
    });
  });
});

it('has a handler for every task type core declares', () => {
  expect(Object.keys(handlers).sort()).toEqual(
    listTaskTypes()
      .map((type) => type.name)
      .sort(),
  );
});
