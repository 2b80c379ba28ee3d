import { stepTopic } from '@weft/core';
import type { ConsumedMessage } from '@weft/kafka';
import type { RunSummaryView, RunView } from '@weft/gateway';
import { uniqueName, waitFor } from '../../support/test-infrastructure';
import { expectApiError, startGatewayFixture, type GatewayFixture } from './gateway-fixture';

interface Accepted {
  runId: string;
  status: string;
  statusUrl: string;
}

const stepsPlan = {
  name: 'Say hello',
  inputParameters: { name: { type: 'string', required: true } },
  steps: [
    { id: 'greet', type: 'text_generate', input: { prompt: 'Say hello to ${input.name}' } },
    {
      id: 'shout',
      type: 'core/transform',
      input: { value: '${nodes.greet.result.text}' },
      dependsOn: ['greet'],
    },
  ],
};

describe('the runs API on a real broker and database', () => {
  let fx: GatewayFixture;

  beforeAll(async () => {
    fx = await startGatewayFixture('gateway-runs');
  });

  afterAll(async () => {
    await fx?.close();
  });

  it('starts a run of a built-in workflow by slug, publishes its first step, and shows it at statusUrl', async () => {
    const received: ConsumedMessage[] = [];
    const consumer = await fx.kafka.consumer({
      groupId: uniqueName('gateway-runs'),
      topics: [stepTopic('image_generate')],
      fromBeginning: true,
    });
    await consumer.run(async (message) => {
      received.push(message);
    });
    try {
      const started = await fx.request('POST', '/v1/workflows/run', {
        body: {
          appId: fx.appId,
          workflowSlug: 'image-generate-v1',
          input: { prompt: 'A beautiful sunset' },
        },
      });
      expect(started.status).toBe(202);
      const accepted = started.body as Accepted;
      expect(accepted).toEqual({
        runId: expect.stringMatching(/^run_/) as unknown,
        status: 'pending',
        statusUrl: `${fx.url}/v1/workflows/runs/${accepted.runId}`,
      });
      expect(started.headers.get('location')).toBe(accepted.statusUrl);

      const polled = await fx.request('GET', accepted.statusUrl);
      expect(polled.status).toBe(200);
      const run = polled.body as RunView;
      expect(run).toMatchObject({
        runId: accepted.runId,
        workflow: {
          slug: 'image-generate-v1',
          version: 1,
          ephemeral: false,
          name: 'Image generate',
        },
        input: { prompt: 'A beautiful sunset', size: '1024x1024' },
        outputs: null,
        error: null,
        finishedAt: null,
        statusUrl: accepted.statusUrl,
      });
      expect(Object.keys(run.nodes).sort()).toEqual([
        'enrich',
        'generate',
        'moderate',
        'notify',
        'store',
      ]);
      expect(run.nodes.generate).toMatchObject({ status: 'queued', attempt: 1 });
      expect(run.nodes.notify).toEqual({ status: 'pending', attempt: 0 });
      expect(new Date(run.createdAt).toISOString()).toBe(run.createdAt);

      const published = await waitFor('the first step on Kafka', async () => {
        const found = received.find((message) => message.key === accepted.runId);
        if (found) return found;
        // A topic created moments ago may refuse the gateway's immediate publish ("not the
        // leader"): the message then waits in the run's outbox, and the orchestrator's sweeper
        // publishes it. No orchestrator runs here, so do what its sweeper does.
        const stale = await fx.runs.staleOutboxes(Date.now() - 1000, 100);
        const ours = stale.find((run) => run.id === accepted.runId);
        if (ours) await fx.engine.publishOutbox(ours);
        return undefined;
      });
      const envelope = JSON.parse(published.value.toString()) as Record<string, unknown>;
      expect(envelope).toMatchObject({ runId: accepted.runId, nodeId: 'generate', attempt: 1 });
    } finally {
      await consumer.disconnect();
    }
  });

  it('returns the same run for the same Idempotency-Key, and refuses the key for another request', async () => {
    const before = await fx.count('runs');
    const key = uniqueName('idem');
    const send = (prompt: string) =>
      fx.request('POST', '/v1/workflows/run', {
        body: { workflowSlug: 'parallel-image-gen', input: { prompt } },
        headers: { 'idempotency-key': key },
      });
    const first = await send('a cat');
    const second = await send('a cat');
    expect([first.status, second.status]).toEqual([202, 202]);
    expect((second.body as Accepted).runId).toBe((first.body as Accepted).runId);
    expect(await fx.count('runs')).toBe(before + 1);

    const other = await send('a dog');
    expect(expectApiError(other, 409, 'idempotency_key_reused').details).toEqual({
      runId: (first.body as Accepted).runId,
    });
    expect(await fx.count('runs')).toBe(before + 1);
  });

  it('runs an ephemeral plan in the steps form', async () => {
    const started = await fx.request('POST', '/v1/workflows/run', {
      body: { plan: stepsPlan, input: { name: 'Ada' }, webhookUrl: 'https://example.com/hook' },
    });
    expect(started.status).toBe(202);
    const run = (await fx.request('GET', (started.body as Accepted).statusUrl)).body as RunView;
    expect(run.workflow).toEqual({ ephemeral: true, name: 'Say hello' });
    expect(run.nodes.greet?.status).toBe('queued');
    expect(run.nodes.shout?.status).toBe('pending');
    expect(run.input).toEqual({ name: 'Ada' });
  });

  it('runs a saved workflow, pinned to a version when asked', async () => {
    const save = (name: string) =>
      fx.request('POST', '/v1/workflows', {
        body: { slug: 'hello', definition: { ...stepsPlan, name } },
      });
    expect((await save('Hello one')).status).toBe(201);
    expect((await save('Hello two')).status).toBe(201);

    const latest = await fx.request('POST', '/v1/workflows/run', {
      body: { workflowSlug: 'hello', input: { name: 'Bo' } },
    });
    const pinned = await fx.request('POST', '/v1/workflows/run', {
      body: { workflowSlug: 'hello', version: 1, input: { name: 'Bo' } },
    });
    const latestRun = (await fx.request('GET', (latest.body as Accepted).statusUrl))
      .body as RunView;
    const pinnedRun = (await fx.request('GET', (pinned.body as Accepted).statusUrl))
      .body as RunView;
    expect(latestRun.workflow).toEqual({
      id: expect.stringMatching(/^wf_/) as unknown,
      slug: 'hello',
      version: 2,
      ephemeral: false,
      name: 'Hello two',
    });
    expect(pinnedRun.workflow).toMatchObject({ version: 1, name: 'Hello one' });
  });

  describe('refuses bad requests with a clear error, storing nothing', () => {
    const run = (body: unknown, headers?: Record<string, string>) =>
      fx.request('POST', '/v1/workflows/run', { body, ...(headers ? { headers } : {}) });

    const cases: [string, () => Promise<void>][] = [
      [
        'malformed JSON',
        async () => {
          expectApiError(await run('{"workflowSlug": "image-generate-v1",'), 400, 'malformed_json');
        },
      ],
      [
        'an unknown slug',
        async () => {
          const error = expectApiError(
            await run({ workflowSlug: 'no-such-flow' }),
            404,
            'workflow_not_found',
          );
          expect(error.details).toEqual({ slug: 'no-such-flow' });
        },
      ],
      [
        'an unknown version',
        async () => {
          const response = await run({
            workflowSlug: 'image-generate-v1',
            version: 7,
            input: { prompt: 'x' },
          });
          expectApiError(response, 404, 'workflow_not_found');
        },
      ],
      [
        'a missing required input',
        async () => {
          const error = expectApiError(
            await run({ workflowSlug: 'image-generate-v1', input: {} }),
            422,
            'invalid_input',
          );
          expect(error.details.issues).toEqual([
            expect.objectContaining({ code: 'missing_input', field: 'prompt' }),
          ]);
        },
      ],
      [
        'inputs of the wrong types',
        async () => {
          const response = await run({
            workflowSlug: 'image-generate-v1',
            input: { prompt: 42, size: [] },
          });
          const error = expectApiError(response, 422, 'invalid_input');
          expect(error.details.issues).toEqual([
            expect.objectContaining({ code: 'input_type_mismatch', field: 'prompt' }),
            expect.objectContaining({ code: 'input_type_mismatch', field: 'size' }),
          ]);
        },
      ],
      [
        'input that is not an object',
        async () => {
          expectApiError(
            await run({ workflowSlug: 'image-generate-v1', input: 'a cat' }),
            422,
            'invalid_input',
          );
        },
      ],
      [
        'a plan with definition errors',
        async () => {
          const plan = {
            name: 'Broken',
            steps: [{ id: 'a', type: 'no_such_task', dependsOn: ['b'] }],
          };
          const error = expectApiError(await run({ plan }), 422, 'invalid_definition');
          const diagnostics = error.details.diagnostics as { errors: { code: string }[] };
          expect(diagnostics.errors.map((e) => e.code)).toEqual(
            expect.arrayContaining(['unknown_task', 'unknown_edge_node']),
          );
        },
      ],
      [
        'a body over the size limit',
        async () => {
          const response = await run({
            workflowSlug: 'image-generate-v1',
            input: { prompt: 'x'.repeat(2 * 1024 * 1024) },
          });
          expectApiError(response, 413, 'payload_too_large');
        },
      ],
      [
        'an unknown property',
        async () => {
          const error = expectApiError(
            await run({ workflowSlug: 'blank', inputs: {} }),
            400,
            'invalid_request',
          );
          expect(error.details.issues).toEqual([
            { path: '/inputs', message: 'unknown property "inputs"' },
          ]);
        },
      ],
      [
        'both a slug and a plan',
        async () => {
          expectApiError(
            await run({ workflowSlug: 'blank', plan: stepsPlan }),
            400,
            'invalid_request',
          );
        },
      ],
      [
        'a webhook URL that is not http(s)',
        async () => {
          const response = await run({ workflowSlug: 'blank', webhookUrl: 'file:///etc/passwd' });
          expectApiError(response, 422, 'invalid_webhook_url');
        },
      ],
      [
        'a webhook URL at a private address',
        async () => {
          const response = await run({
            workflowSlug: 'blank',
            webhookUrl: 'http://169.254.169.254/latest/meta-data',
          });
          expectApiError(response, 422, 'invalid_webhook_url');
        },
      ],
      [
        'a body that is not JSON',
        async () => {
          const response = await run('workflowSlug=blank', { 'content-type': 'text/plain' });
          expectApiError(response, 415, 'unsupported_media_type');
        },
      ],
      [
        'another app id in the body',
        async () => {
          expectApiError(
            await run({ appId: 'app_someone_else', workflowSlug: 'blank' }),
            403,
            'app_mismatch',
          );
        },
      ],
      [
        'a missing API key',
        async () => {
          const response = await fetch(`${fx.url}/v1/workflows/run`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ workflowSlug: 'blank' }),
          });
          expectApiError(
            { status: response.status, body: await response.json(), headers: response.headers },
            401,
            'missing_api_key',
          );
        },
      ],
      [
        'a wrong API key',
        async () => {
          const wrong = fx.apiKey.slice(0, -2) + (fx.apiKey.endsWith('aa') ? 'bb' : 'aa');
          expectApiError(
            await run({ workflowSlug: 'blank' }, { 'x-api-key': wrong }),
            401,
            'invalid_api_key',
          );
          expectApiError(
            await run(
              { workflowSlug: 'blank' },
              { 'x-api-key': '', authorization: 'Bearer nonsense' },
            ),
            401,
            'invalid_api_key',
          );
        },
      ],
      [
        'a revoked API key',
        async () => {
          const created = await fx.apps.createKey(fx.appId);
          if (!created) throw new Error('no key');
          const headers = { 'x-api-key': '', authorization: `Bearer ${created.apiKey}` };
          const ok = await fx.request('GET', '/v1/workflows/runs?limit=1', { headers });
          expect(ok.status).toBe(200);
          await fx.apps.revokeKey(fx.appId, created.key.id);
          expectApiError(await run({ workflowSlug: 'blank' }, headers), 401, 'invalid_api_key');
        },
      ],
    ];

    it.each(cases)('%s', async (_name, check) => {
      const before = await Promise.all(
        ['runs', 'definitions', 'run_idempotency_keys'].map((name) => fx.count(name)),
      );
      await check();
      const after = await Promise.all(
        ['runs', 'definitions', 'run_idempotency_keys'].map((name) => fx.count(name)),
      );
      expect(after).toEqual(before);
    });
  });

  it("answers another app's run as not found", async () => {
    const other = await fx.apps.createApp('someone else');
    const theirs = await fx.request('POST', '/v1/workflows/run', {
      body: { workflowSlug: 'blank' },
      headers: { 'x-api-key': other.apiKey },
    });
    expect(theirs.status).toBe(202);
    const runId = (theirs.body as Accepted).runId;
    const error = expectApiError(
      await fx.request('GET', `/v1/workflows/runs/${runId}`),
      404,
      'run_not_found',
    );
    expect(error.details).toEqual({ runId });
    expectApiError(
      await fx.request('POST', `/v1/workflows/runs/${runId}/cancel`),
      404,
      'run_not_found',
    );
    expectApiError(
      await fx.request('POST', `/v1/workflows/runs/${runId}/resume`),
      404,
      'run_not_found',
    );
    expectApiError(
      await fx.request('GET', '/v1/workflows/runs/run_nonexistent0'),
      404,
      'run_not_found',
    );
    expectApiError(await fx.request('GET', '/v1/workflows/runs/..%2f..%2fx'), 404, 'run_not_found');
    const mine = (await fx.request('GET', '/v1/workflows/runs?limit=100')).body as {
      runs: RunSummaryView[];
    };
    expect(mine.runs.some((run) => run.runId === runId)).toBe(false);
  });

  it('cancels a running run, resumes it, and refuses what cannot be done', async () => {
    const started = await fx.request('POST', '/v1/workflows/run', {
      body: { workflowSlug: 'prompt-to-video', input: { prompt: 'waves' } },
    });
    const { runId } = started.body as Accepted;

    const cancelled = await fx.request('POST', `/v1/workflows/runs/${runId}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({
      runId,
      status: 'cancelled',
      error: { code: 'run_cancelled' },
      finishedAt: expect.any(String) as unknown,
      durationMs: expect.any(Number) as unknown,
    });
    expect((await fx.request('POST', `/v1/workflows/runs/${runId}/cancel`)).status).toBe(200);

    const resumed = await fx.request('POST', `/v1/workflows/runs/${runId}/resume`);
    expect(resumed.status).toBe(202);
    expect(resumed.body).toMatchObject({ runId, status: 'running', error: null, finishedAt: null });
    expect((resumed.body as RunView).nodes.enhance?.status).toBe('queued');

    const again = await fx.request('POST', `/v1/workflows/runs/${runId}/resume`);
    expect(expectApiError(again, 409, 'run_not_resumable').details).toEqual({
      runId,
      status: 'running',
    });

    // The blank template has no nodes: its run completes as it starts.
    const blank = await fx.request('POST', '/v1/workflows/run', {
      body: { workflowSlug: 'blank' },
    });
    const blankId = (blank.body as Accepted).runId;
    const completed = (await fx.request('GET', `/v1/workflows/runs/${blankId}`)).body as RunView;
    expect(completed).toMatchObject({ status: 'completed', outputs: {} });
    const late = await fx.request('POST', `/v1/workflows/runs/${blankId}/cancel`);
    expect(expectApiError(late, 409, 'run_already_ended').details).toEqual({
      runId: blankId,
      status: 'completed',
    });
    expectApiError(
      await fx.request('POST', `/v1/workflows/runs/${blankId}/resume`),
      409,
      'run_not_resumable',
    );
  });

  it('lists runs newest first, a page at a time, filtered by status and slug', async () => {
    const app = await fx.apps.createApp('lister');
    const headers = { 'x-api-key': app.apiKey };
    const ids: string[] = [];
    for (const slug of ['blank', 'parallel-image-gen', 'blank', 'blank']) {
      const response = await fx.request('POST', '/v1/workflows/run', {
        body: { workflowSlug: slug, ...(slug === 'blank' ? {} : { input: { prompt: 'p' } }) },
        headers,
      });
      ids.push((response.body as Accepted).runId);
    }
    type Page = { runs: RunSummaryView[]; nextCursor: string | null };
    const first = (await fx.request('GET', '/v1/workflows/runs?limit=3', { headers })).body as Page;
    expect(first.runs.map((run) => run.runId)).toEqual(ids.slice(1).reverse());
    expect(first.nextCursor).toEqual(expect.any(String));
    expect(first.runs[0]).not.toHaveProperty('nodes');
    const second = (
      await fx.request('GET', `/v1/workflows/runs?limit=3&cursor=${first.nextCursor}`, { headers })
    ).body as Page;
    expect(second).toEqual({
      runs: [expect.objectContaining({ runId: ids[0] })],
      nextCursor: null,
    });

    const bySlug = (
      await fx.request('GET', '/v1/workflows/runs?slug=parallel-image-gen', { headers })
    ).body as Page;
    expect(bySlug.runs.map((run) => run.runId)).toEqual([ids[1]]);
    const byStatus = (await fx.request('GET', '/v1/workflows/runs?status=completed', { headers }))
      .body as Page;
    expect(byStatus.runs).toHaveLength(3);

    expectApiError(
      await fx.request('GET', '/v1/workflows/runs?limit=101', { headers }),
      400,
      'invalid_request',
    );
  });

  it('records when a key was last used, and logs requests without keys or bodies', async () => {
    const keys = await fx.apps.listKeys(fx.appId);
    expect(keys[0]?.lastUsedAt).toEqual(expect.any(Number));
    const text = JSON.stringify(fx.logs);
    expect(text).not.toContain(fx.apiKey);
    expect(text).not.toContain('A beautiful sunset');
    expect(fx.logs).toContainEqual(
      expect.objectContaining({
        msg: 'request',
        method: 'POST',
        path: '/v1/workflows/run',
        status: 202,
        appId: fx.appId,
      }),
    );
  });
});
