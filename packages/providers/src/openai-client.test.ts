import {
  FAKE_PNG_BASE64,
  fakeEmbedding,
  startFakeOpenAi,
  type FakeOpenAi,
} from '../../../test/fakes/openai-server';
import { OpenAiClient, type ChatCompletionRequest } from './openai-client';
import { ProviderError } from './provider-error';

const KEY = 'sk-test-openai-8c41d0e9f7';

let fake: FakeOpenAi;
let client: OpenAiClient;

beforeAll(async () => {
  fake = await startFakeOpenAi({ apiKey: KEY });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.reset();
  client = new OpenAiClient({ baseUrl: fake.url, apiKey: KEY, timeoutMs: 2000 });
});

const call = () => ({ signal: new AbortController().signal });

/** The ProviderError a call rejects with, after checking the key appears nowhere in it. */
async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (reason: unknown) => reason,
  );
  if (!(error instanceof ProviderError)) throw error;
  const everything = [
    JSON.stringify(error),
    String(error),
    error.stack,
    JSON.stringify(error.extra.details),
    String(error.cause),
  ].join('\n');
  expect(everything).not.toContain(KEY);
  return error;
}

const chat: ChatCompletionRequest = {
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Name a colour' },
  ],
  temperature: 0,
};

describe('OpenAiClient', () => {
  it('posts chat completions with the Bearer key and idempotency key', async () => {
    const response = await client.chatCompletion(chat, { ...call(), idempotencyKey: 'run-1:a:1' });
    expect(response.choices[0]?.message).toMatchObject({
      role: 'assistant',
      content: 'Fake completion for: Name a colour',
    });
    expect(response).toMatchObject({ model: 'gpt-4o-mini', usage: { prompt_tokens: 5 } });
    expect(fake.requests).toHaveLength(1);
    const [sent] = fake.requests;
    expect(sent).toMatchObject({ method: 'POST', path: '/v1/chat/completions', json: chat });
    expect(sent?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(sent?.headers['idempotency-key']).toBe('run-1:a:1');
  });

  it('posts embeddings and returns one vector per input', async () => {
    const response = await client.embeddings(
      { model: 'text-embedding-3-small', input: ['red', 'blue'] },
      call(),
    );
    expect(response.data).toEqual([
      { object: 'embedding', index: 0, embedding: fakeEmbedding('red') },
      { object: 'embedding', index: 1, embedding: fakeEmbedding('blue') },
    ]);
    expect(fake.requests[0]?.json).toEqual({
      model: 'text-embedding-3-small',
      input: ['red', 'blue'],
    });
  });

  it('generates images as base64 or as URLs the fake serves', async () => {
    const inline = await client.imageGeneration(
      { model: 'dall-e-3', prompt: 'a red fox', response_format: 'b64_json' },
      call(),
    );
    expect(inline.data[0]?.b64_json).toBe(FAKE_PNG_BASE64);
    expect(Buffer.from(FAKE_PNG_BASE64, 'base64').subarray(1, 4).toString()).toBe('PNG');

    const linked = await client.imageGeneration({ model: 'dall-e-3', prompt: 'a red fox' }, call());
    const url = linked.data[0]?.url ?? '';
    expect(url.startsWith(new URL(fake.url).origin)).toBe(true);
    const file = await fetch(url);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await file.arrayBuffer()).toString('base64')).toBe(FAKE_PNG_BASE64);
    expect(fake.requests[1]?.json).toEqual({ model: 'dall-e-3', prompt: 'a red fox' });
  });

  it('returns speech as bytes with their content type', async () => {
    const body = { model: 'tts-1', input: 'Hello there', voice: 'alloy' };
    const speech = await client.speech(body, call());
    expect(speech.contentType).toBe('audio/mpeg');
    expect(speech.bytes.subarray(0, 3).toString()).toBe('ID3');
    expect(speech.bytes.toString('latin1')).toContain('Hello there');
    expect(fake.requests[0]).toMatchObject({ path: '/v1/audio/speech', json: body });
  });

  it('uploads audio for transcription as multipart with verbose_json', async () => {
    const audio = Buffer.alloc(32_000, 7);
    const result = await client.transcription(
      {
        model: 'whisper-1',
        file: audio,
        filename: 'clip.mp3',
        contentType: 'audio/mpeg',
        language: 'en',
        prompt: 'Weft, Kafka',
      },
      { ...call(), idempotencyKey: 'k1' },
    );
    expect(result).toEqual({
      text: 'Fake transcription of clip.mp3 (32000 bytes)',
      language: 'en',
      duration: 2,
    });
    const [sent] = fake.requests;
    expect(sent?.path).toBe('/v1/audio/transcriptions');
    expect(sent?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(sent?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(sent?.headers['idempotency-key']).toBe('k1');
    expect(sent?.form).toEqual({
      model: 'whisper-1',
      file: { filename: 'clip.mp3', contentType: 'audio/mpeg', size: 32_000 },
      response_format: 'verbose_json',
      language: 'en',
      prompt: 'Weft, Kafka',
    });
    expect(sent?.raw.includes(audio)).toBe(true);
  });

  it('sends no Authorization without a key, and maps 401 to provider_auth_failed', async () => {
    const anonymous = new OpenAiClient({ baseUrl: fake.url });
    const missing = await failure(anonymous.chatCompletion(chat, call()));
    expect(missing).toMatchObject({ code: 'provider_auth_failed', retryable: false });
    expect(fake.requests[0]?.headers.authorization).toBeUndefined();

    // The fake echoes a wrong key in its message, as some servers do.
    const wrongKey = 'sk-wrong-5d7e1b2a9c';
    const wrong = new OpenAiClient({ baseUrl: fake.url, apiKey: wrongKey });
    const refused = await failure(wrong.chatCompletion(chat, call()));
    expect(refused.code).toBe('provider_auth_failed');
    expect(refused.message).toContain('Incorrect API key provided: [redacted]');
    expect(`${JSON.stringify(refused)} ${String(refused)}`).not.toContain(wrongKey);
  });

  it('maps 429 with Retry-After to a retryable rate limit', async () => {
    fake.failNext(1, { status: 429, headers: { 'retry-after': '2' } });
    const error = await failure(client.chatCompletion(chat, call()));
    expect(error).toMatchObject({
      code: 'provider_rate_limited',
      retryable: true,
      extra: { status: 429, retryAfterMs: 2000 },
    });
    expect(error.message).toContain('Rate limit reached');
    expect(error.extra.details).toMatchObject({ error: { code: 'rate_limit_exceeded' } });
  });

  it('maps 503 to a retryable provider_unavailable, and succeeds once it passes', async () => {
    fake.failNext(1, { status: 503 });
    const error = await failure(client.embeddings({ model: 'e', input: 'x' }, call()));
    expect(error).toMatchObject({ code: 'provider_unavailable', retryable: true });
    await expect(client.embeddings({ model: 'e', input: 'x' }, call())).resolves.toBeDefined();
  });

  it("maps 400 to a non-retryable provider_rejected with the server's message", async () => {
    const invalid = { model: 'gpt-4o-mini', messages: [] } as ChatCompletionRequest;
    const error = await failure(client.chatCompletion(invalid, call()));
    expect(error).toMatchObject({
      code: 'provider_rejected',
      retryable: false,
      extra: { status: 400 },
    });
    expect(error.message).toContain("'messages' is a required property");
    expect(error.extra.details).toMatchObject({ error: { param: 'messages' } });

    fake.failNext(1, { status: 400, body: { error: { message: 'Voice not found' } } });
    const speech = await failure(client.speech({ model: 'tts-1', input: 'x', voice: 'v' }, call()));
    expect(speech.message).toContain('Voice not found');
  });

  it('rejects a 2xx without the documented shape as a retryable provider_bad_response', async () => {
    fake.failNext(1, { status: 200, body: { object: 'chat.completion' } });
    const chatError = await failure(client.chatCompletion(chat, call()));
    expect(chatError).toMatchObject({ code: 'provider_bad_response', retryable: true });
    expect(chatError.message).toContain('no choices array');

    fake.failNext(1, { status: 200, body: { data: [{ embedding: 'AAAA' }] } });
    const embeddingError = await failure(client.embeddings({ model: 'e', input: 'x' }, call()));
    expect(embeddingError.code).toBe('provider_bad_response');
  });

  it('times out a slow server as a retryable provider_timeout', async () => {
    const impatient = new OpenAiClient({ baseUrl: fake.url, apiKey: KEY, timeoutMs: 80 });
    fake.delayNext(1, 3000);
    const error = await failure(impatient.chatCompletion(chat, call()));
    expect(error).toMatchObject({ code: 'provider_timeout', retryable: true });
  });

  it('ends with aborted when the signal aborts mid-call', async () => {
    fake.delayNext(1, 3000);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const error = await failure(client.chatCompletion(chat, { signal: controller.signal }));
    expect(error).toMatchObject({ code: 'aborted', retryable: true });
  });
});
