import type { Connection } from 'mongoose';
import sharp from 'sharp';
import { Webhook } from 'standardwebhooks';
import { readArtifact } from '@weft/store';
import type { StepHandler } from '@weft/worker';
import { connectDatabase, dropDatabase } from '../../support/test-infrastructure';
import { startReceiver, stopReceiver, type Receiver } from './receiver';
import { createStepHandlers, runStep, stepServices, TEST_PUBLIC_URL } from './step-services';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

let connection: Connection;
let handlers: Readonly<Record<string, StepHandler>>;
let guarded: Readonly<Record<string, StepHandler>>;
let services: Awaited<ReturnType<typeof stepServices>>;

let receiver: Receiver;

beforeAll(async () => {
  connection = await connectDatabase();
  services = await stepServices(connection, {});
  handlers = createStepHandlers(services);
  guarded = createStepHandlers({ ...services, allowPrivateNetworks: false });
  receiver = await startReceiver();
});

afterAll(async () => {
  await stopReceiver(receiver);
  await dropDatabase(connection);
});

beforeEach(() => {
  receiver.received.length = 0;
  receiver.answers.length = 0;
});

function artifactIdOf(url: unknown): string {
  return String(url).replace(`${TEST_PUBLIC_URL}/v1/artifacts/`, '');
}

async function ok(outcome: Awaited<ReturnType<typeof runStep>>): Promise<Record<string, unknown>> {
  if (!outcome.ok) throw new Error(`step failed: ${JSON.stringify(outcome.error)}`);
  return Promise.resolve(outcome.result as Record<string, unknown>);
}

describe('the local provider', () => {
  it('image_generate renders a real PNG card, kept as an artifact of the app', async () => {
    const result = await ok(
      await runStep(handlers, 'image_generate', { prompt: 'a red fox', size: '320x200' }),
    );
    const [image] = result.images as { url: string; width: number; height: number }[];
    expect(image).toMatchObject({ width: 320, height: 200, content_type: 'image/png' });
    const stored = await readArtifact(services.artifacts, 'app_steps', artifactIdOf(image?.url));
    expect(stored?.bytes.subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
    expect(await sharp(stored!.bytes).metadata()).toMatchObject({
      format: 'png',
      width: 320,
      height: 200,
    });
    // Rendered, not generated: the same prompt draws the same card.
    const again = await ok(
      await runStep(handlers, 'image_generate', { prompt: 'a red fox', size: '320x200' }),
    );
    const [second] = again.images as { url: string }[];
    const secondStored = await readArtifact(
      services.artifacts,
      'app_steps',
      artifactIdOf(second?.url),
    );
    expect(secondStored?.info.sha256).toBe(stored?.info.sha256);
  });

  it('fal/text-to-image draws the preset size asked for', async () => {
    const result = await ok(
      await runStep(
        handlers,
        'fal/text-to-image',
        { prompt: 'a lighthouse', image_size: 'square', num_images: 2 },
        { model_id: 'fal-ai/flux/schnell' },
      ),
    );
    expect(result.images).toEqual([
      expect.objectContaining({ width: 512, height: 512 }),
      expect.objectContaining({ width: 512, height: 512 }),
    ]);
  });

  it('answers text tasks with a template that says it is not a model', async () => {
    const completion = await ok(
      await runStep(
        handlers,
        'openai/chat-completion',
        { messages: [{ role: 'user', content: 'a cat playing piano' }] },
        { model_id: 'Qwen/Qwen3.5-4B' },
      ),
    );
    expect(completion.model).toBe('weft-local-template');
    const content = (completion.choices as { message: { content: string } }[])[0]?.message.content;
    expect(content).toContain('a cat playing piano');
    expect(content).toMatch(/local provider/i);

    const generated = await ok(await runStep(handlers, 'text_generate', { prompt: 'Say hi' }));
    expect(generated.text).toMatch(/local provider/i);
  });

  it('embeds with feature hashing: unit vectors, similar texts nearer', async () => {
    const result = await ok(
      await runStep(
        handlers,
        'openai/embeddings',
        { input: ['the quick brown fox', 'the quick brown foxes', 'tax law reform'] },
        { model_id: 'text-embedding-3-small' },
      ),
    );
    const [a, b, c] = (result.data as { embedding: number[] }[]).map((item) => item.embedding);
    const dot = (x: number[], y: number[]) => x.reduce((sum, value, i) => sum + value * y[i]!, 0);
    expect(dot(a!, a!)).toBeCloseTo(1, 6);
    expect(dot(a!, b!)).toBeGreaterThan(dot(a!, c!));
  });

  it.each([
    ['fal/text-to-video', 'fal-ai/wan/v2.2-5b', { prompt: 'waves' }],
    [
      'fal/image-to-image',
      'fal-ai/flux/dev/image-to-image',
      { image_url: 'https://x/a.png', prompt: 'p' },
    ],
    ['openai/audio-speech', 'tts-1', { input: 'hi', voice: 'alloy' }],
    ['openai/audio-transcription', 'whisper-1', { audio_url: 'https://x/a.mp3' }],
  ])('refuses %s plainly instead of pretending', async (task, model, inputs) => {
    const outcome = await runStep(handlers, task, inputs, { model_id: model });
    expect(outcome).toEqual({
      ok: false,
      error: expect.objectContaining({
        code: 'provider_not_configured',
        retryable: false,
        message: expect.stringMatching(/local provider does not/) as unknown,
      }) as unknown,
    });
  });
});

describe('enrich_image', () => {
  it('reads size, format and colours from an artifact’s bytes', async () => {
    const png = await sharp({
      create: { width: 120, height: 60, channels: 3, background: { r: 255, g: 0, b: 0 } },
    })
      .png()
      .toBuffer();
    const info = await services.artifacts.put({
      appId: 'app_steps',
      bytes: png,
      contentType: 'image/png',
    });
    const result = await ok(
      await runStep(handlers, 'enrich_image', {
        image_url: `${TEST_PUBLIC_URL}/v1/artifacts/${info.id}`,
      }),
    );
    expect(result).toMatchObject({ width: 120, height: 60, format: 'png' });
    expect((result.dominant_colors as string[])[0]).toBe('#ff0000');
    expect(result.tags).toEqual(expect.arrayContaining(['landscape', 'red']));
    // Another app's artifact is not there for this one.
    const foreign = await runStep(
      handlers,
      'enrich_image',
      { image_url: `${TEST_PUBLIC_URL}/v1/artifacts/${info.id}` },
      { appId: 'app_other' },
    );
    expect(foreign).toMatchObject({
      ok: false,
      error: { code: 'media_not_found', retryable: false },
    });
  });

  it('fetches http(s) images, retrying server errors but not missing files', async () => {
    const jpeg = await sharp({
      create: { width: 40, height: 80, channels: 3, background: { r: 0, g: 0, b: 255 } },
    })
      .jpeg()
      .toBuffer();
    receiver.answers.push({ status: 200, headers: { 'content-type': 'image/jpeg' }, body: jpeg });
    const result = await ok(
      await runStep(handlers, 'enrich_image', { image_url: `${receiver.url}/a.jpg` }),
    );
    expect(result).toMatchObject({ width: 40, height: 80, format: 'jpeg' });
    expect(result.tags).toContain('portrait');

    receiver.answers.push({ status: 503 });
    expect(
      await runStep(handlers, 'enrich_image', { image_url: `${receiver.url}/b.jpg` }),
    ).toMatchObject({ ok: false, error: { retryable: true } });
    receiver.answers.push({ status: 404 });
    expect(
      await runStep(handlers, 'enrich_image', { image_url: `${receiver.url}/c.jpg` }),
    ).toMatchObject({ ok: false, error: { retryable: false } });
    receiver.answers.push({ status: 200, body: 'not an image' });
    expect(
      await runStep(handlers, 'enrich_image', { image_url: `${receiver.url}/d.jpg` }),
    ).toMatchObject({ ok: false, error: { code: 'invalid_image', retryable: false } });
  });

  it('does not reach private addresses unless allowed', async () => {
    const outcome = await runStep(guarded, 'enrich_image', {
      image_url: 'http://169.254.169.254/latest/meta-data',
    });
    expect(outcome).toMatchObject({ ok: false, error: { retryable: false } });
    expect(JSON.stringify(outcome)).toMatch(/not_allowed/);
  });

  it('refuses a missing image_url', async () => {
    expect(await runStep(handlers, 'enrich_image', {})).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', retryable: false },
    });
  });
});

describe('enrich_text and moderate_content', () => {
  it('finds keywords, language and sentiment', async () => {
    const result = await ok(
      await runStep(handlers, 'enrich_text', {
        text: 'I love this coffee grinder. The grinder is quiet and the coffee tastes wonderful.',
      }),
    );
    expect(result).toMatchObject({ language: 'en', sentiment: { label: 'positive' } });
    expect(result.keywords).toEqual(expect.arrayContaining(['coffee', 'grinder']));
    expect(await runStep(handlers, 'enrich_text', { text: '' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
  });

  it('flags what its word lists match, and says what it did not check', async () => {
    const flagged = await ok(
      await runStep(handlers, 'moderate_content', { text: 'what the fuck is this' }),
    );
    expect(flagged).toMatchObject({ flagged: true, categories: { profanity: true } });
    const clean = await ok(
      await runStep(handlers, 'moderate_content', {
        text: 'a lovely afternoon',
        image_url: 'https://cdn.example/a.png',
      }),
    );
    expect(clean).toMatchObject({ flagged: false, checked: ['text'], unchecked: ['image'] });
    expect(
      await runStep(handlers, 'moderate_content', { image_url: 'https://cdn.example/a.png' }),
    ).toMatchObject({ ok: false, error: { code: 'provider_not_configured', retryable: false } });
    expect(await runStep(handlers, 'moderate_content', {})).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
  });
});

describe('store_results and search_similar', () => {
  it('stores a document once per run and node, queryable by collection', async () => {
    const inputs = { collection: 'captions', document: { caption: 'a fox', score: 3 } };
    const first = await ok(
      await runStep(handlers, 'store_results', inputs, { runId: 'run_s1', nodeId: 'save' }),
    );
    const redelivered = await ok(
      await runStep(handlers, 'store_results', inputs, { runId: 'run_s1', nodeId: 'save' }),
    );
    expect(redelivered).toEqual(first);
    const page = await services.results.list('app_steps', 'captions', { limit: 10 });
    expect(page.documents).toEqual([
      expect.objectContaining({
        id: first.id,
        document: { caption: 'a fox', score: 3 },
        runId: 'run_s1',
        nodeId: 'save',
      }),
    ]);
    expect(
      await runStep(handlers, 'store_results', { collection: 'bad name!', document: {} }),
    ).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await runStep(handlers, 'store_results', { ...inputs, vector: [1, 2] })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
  });

  it('returns the nearest stored items, in order, for known vectors', async () => {
    const items: [string, number[]][] = [
      ['east', [1, 0, 0]],
      ['north-east', [1, 1, 0]],
      ['north', [0, 1, 0]],
      ['west', [-1, 0, 0]],
      ['up', [0, 0, 1]],
    ];
    const ids = new Map<string, string>();
    for (const [name, vector] of items) {
      const stored = await ok(
        await runStep(
          handlers,
          'store_results',
          { collection: 'places', document: { name }, index: 'compass', vector },
          { nodeId: `store-${name}` },
        ),
      );
      expect(stored).toMatchObject({ collection: 'places', index: 'compass' });
      ids.set(String(stored.id), name);
    }
    const result = await ok(
      await runStep(handlers, 'search_similar', {
        index: 'compass',
        vector: [1, 0.3, 0],
        top_k: 3,
      }),
    );
    const matches = result.matches as { id: string; score: number; metadata: { name: string } }[];
    expect(matches.map((match) => match.metadata.name)).toEqual(['east', 'north-east', 'north']);
    expect(matches.map((match) => ids.get(match.id))).toEqual(['east', 'north-east', 'north']);
    expect(matches[0]?.score).toBeCloseTo(1 / Math.sqrt(1.09), 6);
    expect(matches[0]!.score).toBeGreaterThan(matches[1]!.score);

    expect(
      await runStep(handlers, 'search_similar', { index: 'compass', vector: [1, 0] }),
    ).toMatchObject({ ok: false, error: { code: 'dimension_mismatch', retryable: false } });
    expect(
      await runStep(handlers, 'search_similar', { index: 'compass', vector: [1], text: 'x' }),
    ).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it('indexes and searches by text through the embedder', async () => {
    for (const [i, text] of [
      'fresh coffee beans roasted today',
      'quarterly tax filing deadline',
      'espresso coffee with milk foam',
    ].entries()) {
      await ok(
        await runStep(
          handlers,
          'store_results',
          { collection: 'notes', document: { text }, index: 'notes', text },
          { nodeId: `note-${i}` },
        ),
      );
    }
    const result = await ok(
      await runStep(handlers, 'search_similar', { index: 'notes', text: 'coffee', top_k: 2 }),
    );
    const names = (result.matches as { metadata: { text: string } }[]).map((m) => m.metadata.text);
    expect(names).toHaveLength(2);
    expect(names.every((text) => text.includes('coffee'))).toBe(true);
  });
});

describe('emit_webhook', () => {
  it("without a url, delivers to the app's endpoints: each signed with its own secret", async () => {
    expect(await ok(await runStep(handlers, 'emit_webhook', { body: {} }))).toEqual({
      delivered: 0,
      deliveries: [],
    });
    const endpointSecret = 'whsec_dGhpcyBpcyBhIHRlc3Qgc2VjcmV0IG9mIDMy';
    const withEndpoints = createStepHandlers({
      ...services,
      webhookEndpoints: async () => [
        { id: 'wh_1', url: `${receiver.url}/one`, secrets: [endpointSecret] },
        { id: 'wh_2', url: `${receiver.url}/two`, secrets: [endpointSecret] },
      ],
    });
    const result = await ok(await runStep(withEndpoints, 'emit_webhook', { body: { n: 1 } }));
    expect(result).toMatchObject({
      delivered: 2,
      deliveries: [{ webhook_id: 'wh_1' }, { webhook_id: 'wh_2' }],
    });
    expect(receiver.received.map((received) => received.path)).toEqual(['/one', '/two']);
    for (const received of receiver.received) {
      new Webhook(endpointSecret).verify(received.body, received.headers as Record<string, string>);
    }
  });

  it('sends a Standard Webhooks message the standardwebhooks package verifies', async () => {
    const result = await ok(
      await runStep(
        handlers,
        'emit_webhook',
        {
          url: `${receiver.url}/hook`,
          event: 'image.ready',
          body: { url: 'https://x/a.png' },
          headers: { 'x-tenant': 'blue' },
        },
        { runId: 'run_w1', nodeId: 'notify' },
      ),
    );
    expect(result).toEqual({
      delivered: 1,
      deliveries: [{ url: `${receiver.url}/hook`, status: 204, webhook_id: null }],
    });
    const [delivery] = receiver.received;
    const headers = delivery!.headers as Record<string, string>;
    const payload = new Webhook(SECRET).verify(delivery!.body, headers);
    expect(payload).toMatchObject({ type: 'image.ready', data: { url: 'https://x/a.png' } });
    expect(headers['x-tenant']).toBe('blue');
    expect(() =>
      new Webhook(SECRET).verify(delivery!.body.replace('a.png', 'b.png'), headers),
    ).toThrow();
  });

  it('fails retryably on 5xx and 429, keeping one webhook-id across attempts', async () => {
    receiver.answers.push({ status: 503 });
    const failed = await runStep(
      handlers,
      'emit_webhook',
      { url: `${receiver.url}/hook`, body: {} },
      { runId: 'run_w2', nodeId: 'notify' },
    );
    expect(failed).toMatchObject({ ok: false, error: { code: 'webhook_failed', retryable: true } });
    receiver.answers.push({ status: 429, headers: { 'retry-after': '4' } });
    const limited = await runStep(
      handlers,
      'emit_webhook',
      { url: `${receiver.url}/hook`, body: {} },
      { runId: 'run_w2', nodeId: 'notify' },
    );
    expect(limited).toMatchObject({ ok: false, error: { retryable: true, retryAfterMs: 4000 } });
    await ok(
      await runStep(
        handlers,
        'emit_webhook',
        { url: `${receiver.url}/hook`, body: {} },
        { runId: 'run_w2', nodeId: 'notify' },
      ),
    );
    const ids = new Set(receiver.received.map((received) => received.headers['webhook-id']));
    expect(receiver.received).toHaveLength(3);
    expect(ids.size).toBe(1);
  });

  it('does not retry a 4xx, a private address or a bad header', async () => {
    receiver.answers.push({ status: 400 });
    expect(
      await runStep(handlers, 'emit_webhook', { url: `${receiver.url}/hook`, body: {} }),
    ).toMatchObject({ ok: false, error: { code: 'webhook_failed', retryable: false } });
    expect(
      await runStep(guarded, 'emit_webhook', { url: 'http://10.0.0.1/hook', body: {} }),
    ).toMatchObject({ ok: false, error: { retryable: false } });
    expect(
      await runStep(handlers, 'emit_webhook', {
        url: `${receiver.url}/hook`,
        body: {},
        headers: { 'x-bad': 'line\r\nbreak' },
      }),
    ).toMatchObject({ ok: false, error: { code: 'invalid_input', retryable: false } });

    expect(await runStep(handlers, 'emit_webhook', { url: 'not a url' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
    expect(receiver.received).toHaveLength(1);
  });
});
