import { startRecordingServer, sendJson, waitForRequest } from '../../../test/fakes/fake-http';
import { startFakeFal, type FakeFal } from '../../../test/fakes/fal-server';
import { FalClient, type FalQueueStatus, type FalStatusDetail } from './fal-client';
import { ProviderError } from './provider-error';

const KEY = 'fal-key-id:0b6c9e2f4a7d1358';

let fake: FakeFal;
let client: FalClient;

beforeAll(async () => {
  fake = await startFakeFal({ key: KEY });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.reset();
  client = new FalClient({ baseUrl: fake.url, key: KEY, pollIntervalMs: 5, timeoutMs: 2000 });
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

describe('FalClient', () => {
  it('submits, polls IN_QUEUE → IN_PROGRESS → COMPLETED, and fetches the result', async () => {
    const seen: [FalQueueStatus, FalStatusDetail][] = [];
    const input = { prompt: 'a lighthouse at dusk', image_size: 'square_hd', seed: 7 };
    const result = await client.run('fal-ai/flux/dev', input, {
      ...call(),
      idempotencyKey: 'run-9:img:1',
      onStatus: (status, detail) => seen.push([status, detail]),
    });

    const [job] = fake.jobs;
    const requestId = job?.requestId ?? '';
    expect(result).toMatchObject({
      images: [{ width: 1024, height: 1024, content_type: 'image/png' }],
      seed: 7,
    });
    expect(seen.map(([status]) => status)).toEqual(['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED']);
    expect(seen[0]?.[1]).toEqual({ requestId, queuePosition: 0 });
    expect(seen[1]?.[1].logs?.[0]?.message).toBe('fake: step 1/1');
    expect(job?.statuses).toEqual(['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED']);

    const base = `/fal-ai/flux/requests/${requestId}`;
    expect(fake.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'POST /fal-ai/flux/dev',
      `GET ${base}/status`,
      `GET ${base}/status`,
      `GET ${base}/status`,
      `GET ${base}`,
    ]);
    expect(fake.requests[0]?.json).toEqual(input);
    expect(fake.requests[0]?.headers['idempotency-key']).toBe('run-9:img:1');
    for (const request of fake.requests) expect(request.headers.authorization).toBe(`Key ${KEY}`);
  });

  it('returns a video for video models, polling under the owner/app only', async () => {
    const result = await client.run(
      'fal-ai/wan/v2.2-5b/text-to-video',
      { prompt: 'waves' },
      call(),
    );
    expect(result).toMatchObject({ video: { content_type: 'video/mp4' } });
    const requestId = fake.jobs[0]?.requestId ?? '';
    expect(fake.requests[1]?.path).toBe(`/fal-ai/wan/requests/${requestId}/status`);
  });

  it('does not follow queue URLs on another origin', async () => {
    const elsewhere = await startRecordingServer(async (_request, response) =>
      sendJson(response, 200, { status: 'COMPLETED' }),
    );
    const redirected = await startFakeFal({ key: KEY, queueUrlOrigin: elsewhere.origin });
    try {
      const falClient = new FalClient({ baseUrl: redirected.url, key: KEY, pollIntervalMs: 5 });
      const result = await falClient.run('fal-ai/flux/schnell', { prompt: 'x' }, call());
      expect(result).toHaveProperty('images');
      expect(elsewhere.requests).toHaveLength(0);
      const requestId = redirected.jobs[0]?.requestId ?? '';
      expect(redirected.requests.at(-1)?.path).toBe(`/fal-ai/flux/requests/${requestId}`);
    } finally {
      await Promise.all([elsewhere.close(), redirected.close()]);
    }
  });

  it('maps a wrong key to provider_auth_failed', async () => {
    const wrong = new FalClient({ baseUrl: fake.url, key: 'fal-wrong:77aa', pollIntervalMs: 5 });
    const error = await failure(wrong.run('fal-ai/flux/dev', { prompt: 'x' }, call()));
    expect(error).toMatchObject({ code: 'provider_auth_failed', retryable: false });
    expect(error.message).toContain('Authentication is required');
  });

  it('maps 429 with Retry-After and 503 at submit to retryable errors', async () => {
    fake.failNext(1, { status: 429, headers: { 'retry-after': '4' } });
    const limited = await failure(client.run('fal-ai/flux/dev', { prompt: 'x' }, call()));
    expect(limited).toMatchObject({
      code: 'provider_rate_limited',
      retryable: true,
      extra: { retryAfterMs: 4000 },
    });

    fake.failNext(1, { status: 503 });
    const unavailable = await failure(client.run('fal-ai/flux/dev', { prompt: 'x' }, call()));
    expect(unavailable).toMatchObject({ code: 'provider_unavailable', retryable: true });
    expect(fake.jobs).toHaveLength(0);
  });

  it('rides out a few failed status polls, but gives up and cancels after more', async () => {
    const failPolls = (count: number) => ({
      ...call(),
      onStatus: (status: FalQueueStatus) => {
        if (status === 'IN_QUEUE') fake.failNext(count, { status: 503 });
      },
    });
    await expect(
      client.run('fal-ai/flux/dev', { prompt: 'x' }, failPolls(3)),
    ).resolves.toHaveProperty('images');

    fake.reset();
    const error = await failure(client.run('fal-ai/flux/dev', { prompt: 'x' }, failPolls(4)));
    expect(error).toMatchObject({ code: 'provider_unavailable', retryable: true });
    await waitForRequest(fake.requests, (request) => request.method === 'PUT');
  });

  it("maps a failed model run to the result's error: 422 is not retryable, 500 is", async () => {
    fake.failResultWith(422, {
      detail: [
        { loc: ['body', 'image_url'], msg: 'Could not download the image', type: 'value_error' },
      ],
    });
    const rejected = await failure(client.run('fal-ai/flux/dev', { prompt: 'x' }, call()));
    expect(rejected).toMatchObject({ code: 'provider_rejected', retryable: false });
    expect(rejected.message).toContain('body.image_url: Could not download the image');

    fake.failResultWith(500, { detail: 'Internal Server Error' });
    const crashed = await failure(client.run('fal-ai/flux/dev', { prompt: 'x' }, call()));
    expect(crashed).toMatchObject({ code: 'provider_unavailable', retryable: true });
  });

  it('times out a slow request as a retryable provider_timeout', async () => {
    const impatient = new FalClient({ baseUrl: fake.url, key: KEY, timeoutMs: 80 });
    fake.delayNext(1, 3000);
    const error = await failure(impatient.run('fal-ai/flux/dev', { prompt: 'x' }, call()));
    expect(error).toMatchObject({ code: 'provider_timeout', retryable: true });
  });

  it('cancels the queued run and throws aborted when the signal aborts while polling', async () => {
    const patient = await startFakeFal({ key: KEY, pollsBeforeComplete: 1000 });
    try {
      const falClient = new FalClient({ baseUrl: patient.url, key: KEY, pollIntervalMs: 5 });
      const controller = new AbortController();
      const error = await failure(
        falClient.run(
          'fal-ai/wan/v2.2-5b/text-to-video',
          { prompt: 'x' },
          {
            signal: controller.signal,
            onStatus: (status) => {
              if (status === 'IN_PROGRESS') controller.abort();
            },
          },
        ),
      );
      expect(error).toMatchObject({ code: 'aborted', retryable: true });
      const requestId = patient.jobs[0]?.requestId ?? '';
      const cancel = await waitForRequest(patient.requests, (request) => request.method === 'PUT');
      expect(cancel.path).toBe(`/fal-ai/wan/requests/${requestId}/cancel`);
      expect(cancel.headers.authorization).toBe(`Key ${KEY}`);
      expect(patient.job(requestId).cancelled).toBe(true);
    } finally {
      await patient.close();
    }
  });

  it('refuses a malformed model id without sending anything', async () => {
    for (const modelId of ['flux', '../admin/x', 'fal-ai//dev', 'https://evil.example/x']) {
      const error = await failure(client.run(modelId, {}, call()));
      expect(error).toMatchObject({ code: 'invalid_request', retryable: false });
    }
    expect(fake.requests).toHaveLength(0);
  });

  it('rejects a submit answer without request_id as provider_bad_response', async () => {
    fake.failNext(1, { status: 200, body: { status: 'IN_QUEUE' } });
    const error = await failure(client.run('fal-ai/flux/dev', { prompt: 'x' }, call()));
    expect(error).toMatchObject({ code: 'provider_bad_response', retryable: true });
  });
});
