import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeView, RunStatus, RunView } from '@weft/client';
import { apiError, json, startFakeApi, type FakeApi } from './testing/fake-api';
import { runCaptured, type CapturedRun } from './testing/run-captured';

let api: FakeApi;
let dir: string;

beforeAll(async () => {
  api = await startFakeApi();
  dir = await mkdtemp(join(tmpdir(), 'weft-cli-'));
});

afterAll(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  api.requests.length = 0;
  api.routes.clear();
});

function weft(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<CapturedRun> {
  return runCaptured(argv, { WEFT_URL: api.url, WEFT_API_KEY: 'weft_testtest_key', ...env });
}

function view(status: RunStatus, nodes: Record<string, NodeView>, extra: Partial<RunView> = {}) {
  return {
    runId: 'run_1',
    status,
    workflow: { slug: 'demo', version: 2, ephemeral: false, name: 'Demo' },
    input: {},
    nodes,
    outputs: null,
    error: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    statusUrl: 'http://weft.test/v1/workflows/runs/run_1',
    ...extra,
  } satisfies RunView;
}

const STARTED = { runId: 'run_1', status: 'pending', statusUrl: 'http://weft.test/runs/run_1' };

const COMPLETED = view(
  'completed',
  {
    gen: { status: 'completed', attempt: 1, durationMs: 20 },
    store: { status: 'completed', attempt: 1, durationMs: 5 },
  },
  { outputs: { gen: { url: 'http://weft.test/v1/artifacts/art_1' }, store: { id: 'res_1' } } },
);

const FAILED = view(
  'failed',
  {
    gen: { status: 'completed', attempt: 1, durationMs: 20 },
    boom: {
      status: 'failed',
      attempt: 1,
      durationMs: 3,
      error: { code: 'kaboom', message: 'it broke', retryable: false },
    },
  },
  {
    error: {
      code: 'node_failed',
      message: 'node "boom" failed (kaboom: it broke)',
      nodeId: 'boom',
    },
  },
);

describe('weft run', () => {
  it('starts a run by slug with coerced inputs and prints its id and status URL', async () => {
    api.routes.set('POST /v1/workflows/run', (_request, response) => json(response, 202, STARTED));
    const outcome = await weft([
      'run',
      'demo',
      '--input',
      'prompt=a sunset',
      '-i',
      'n=2',
      '--input-json',
      '{"size":"64x48"}',
    ]);
    expect(outcome).toEqual({ code: 0, out: 'run_1\nhttp://weft.test/runs/run_1\n', err: '' });
    const [request] = api.requests;
    expect(request?.json).toEqual({
      workflowSlug: 'demo',
      input: { size: '64x48', prompt: 'a sunset', n: 2 },
    });
    expect(request?.headers['x-api-key']).toBe('weft_testtest_key');
    expect(request?.headers['idempotency-key']).toMatch(/^weft-client-/);
    expect(request?.headers['user-agent']).toBe('weft-cli/0.1.0');
  });

  it('runs by workflowId for a wf_ id, and --json prints the start', async () => {
    api.routes.set('POST /v1/workflows/run', (_request, response) => json(response, 202, STARTED));
    const outcome = await weft(['run', 'wf_abc', '--json', '--idempotency-key', 'k1']);
    expect(api.requests[0]?.json).toEqual({ workflowId: 'wf_abc', input: {} });
    expect(api.requests[0]?.headers['idempotency-key']).toBe('k1');
    expect(JSON.parse(outcome.out)).toEqual({ ...STARTED, idempotencyKey: 'k1' });
  });

  it('--wait follows the live events, shows progress, prints the outputs and exits 0', async () => {
    api.routes.set('POST /v1/workflows/run', (_request, response) => json(response, 202, STARTED));
    api.routes.set('GET /v1/workflows/runs/run_1/events', (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const pending = view('running', {
        gen: { status: 'queued', attempt: 1 },
        store: { status: 'pending', attempt: 0 },
      });
      const node = (nodeId: string, status: string) =>
        `event: node\ndata: ${JSON.stringify({ runId: 'run_1', nodeId, status, attempt: 1 })}\n\n`;
      response.write(`event: snapshot\nid: 1\ndata: ${JSON.stringify(pending)}\n\n`);
      response.write(node('gen', 'running') + node('gen', 'completed') + node('store', 'running'));
      response.end(`event: end\ndata: ${JSON.stringify(COMPLETED)}\n\n`);
    });
    const outcome = await weft(['run', 'demo', '--wait', '--input', 'prompt=x']);
    expect(outcome.code).toBe(0);
    expect(JSON.parse(outcome.out)).toEqual(COMPLETED.outputs);
    const lines = outcome.err.split('\n');
    expect(lines[0]).toBe('Run run_1 of demo started');
    expect(
      lines.filter((line) => /\bgen\s+\w+/.test(line)).map((l) => l.trim().split(/\s+/)[2]),
    ).toEqual(['queued', 'running', 'completed']);
    expect(outcome.err).toMatch(/store\s+completed\s+attempt 1\s+5ms/);
    expect(outcome.err).toMatch(/run run_1 completed\n$/);
  });

  it('--wait exits 1 for a failed run, naming the failing node and its error (polling without events)', async () => {
    api.routes.set('POST /v1/workflows/run', (_request, response) => json(response, 202, STARTED));
    api.routes.set('GET /v1/workflows/runs/run_1', (_request, response) =>
      json(response, 200, FAILED),
    );
    const outcome = await weft(['run', 'demo', '--wait']);
    expect(outcome.code).toBe(1);
    expect(outcome.out).toBe('');
    expect(outcome.err).toContain(
      'weft: run run_1 failed\n' +
        '  run error: node_failed: node "boom" failed (kaboom: it broke)\n' +
        '  node:      boom (attempt 1)\n' +
        '  error:     kaboom: it broke\n',
    );
    expect(outcome.err).toMatch(/boom\s+failed\s+attempt 1\s+3ms\s+kaboom: it broke/);
    expect(api.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /v1/workflows/run',
      'GET /v1/workflows/runs/run_1/events',
      'GET /v1/workflows/runs/run_1',
    ]);
  });

  it('--wait --json prints the final run view, whatever the outcome', async () => {
    api.routes.set('POST /v1/workflows/run', (_request, response) => json(response, 202, STARTED));
    api.routes.set('GET /v1/workflows/runs/run_1', (_request, response) =>
      json(response, 200, FAILED),
    );
    const outcome = await weft(['run', 'demo', '--wait', '--json']);
    expect(outcome.code).toBe(1);
    expect(JSON.parse(outcome.out)).toEqual(FAILED);
  });

  it('exits 3 when the run does not end within --timeout', async () => {
    api.routes.set('POST /v1/workflows/run', (_request, response) => json(response, 202, STARTED));
    api.routes.set('GET /v1/workflows/runs/run_1/events', (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const running = view('running', { gen: { status: 'running', attempt: 1 } });
      response.write(`event: snapshot\ndata: ${JSON.stringify(running)}\n\n`);
    });
    const outcome = await weft(['run', 'demo', '--wait', '--timeout', '0.2']);
    expect(outcome.code).toBe(3);
    expect(outcome.err).toContain(
      'weft: run run_1 did not end within 0.2 s (it is running and goes on): weft runs watch run_1',
    );
  });

  it.each([
    [['run', 'demo'], { WEFT_API_KEY: '' }, /no API key/],
    [['run', 'demo', '--input', 'novalue'], {}, /is not key=value/],
    [['run', 'demo', '--input-json', '[]'], {}, /must be a JSON object/],
    [['run', 'demo', '--timeout', '5'], {}, /--timeout goes with --wait/],
    [['run', 'demo', '--wait', '--timeout', 'soon'], {}, /--timeout must be a number/],
    [['runs', 'list', '--status', 'lost'], {}, /--status must be one of/],
    [['runs', 'list', '--limit', '0'], {}, /--limit must be/],
    [['keys', 'list'], { WEFT_API_KEY: '' }, /--app is required/],
  ])('exits 2 for %p without calling the API', async (argv, env, message) => {
    const outcome = await weft(argv, env);
    expect(outcome.code).toBe(2);
    expect(outcome.err).toMatch(message);
    expect(api.requests).toEqual([]);
  });
});

describe('weft runs', () => {
  it('lists runs with filters, page after page up to --limit', async () => {
    api.routes.set('GET /v1/workflows/runs', (request, response) => {
      const cursor = new URL(request.url, api.url).searchParams.get('cursor');
      const summary = (runId: string) => ({ ...FAILED, runId, durationMs: 1500 });
      json(response, 200, {
        runs: cursor === null ? [summary('run_3'), summary('run_2')] : [summary('run_1')],
        nextCursor: cursor === null ? 'run_2' : null,
      });
    });
    const outcome = await weft([
      'runs',
      'list',
      '--status',
      'failed',
      '--slug',
      'demo',
      '--limit',
      '2',
    ]);
    expect(outcome.code).toBe(0);
    expect(outcome.out.split('\n')[0]).toMatch(
      /^RUN\s+STATUS\s+WORKFLOW\s+CREATED\s+DURATION\s+ERROR$/,
    );
    expect(outcome.out).toMatch(
      /run_3\s+failed\s+demo v2\s+2025-01-01T00:00:00.000Z\s+1.5s\s+node_failed/,
    );
    expect(api.requests.map((r) => r.url)).toEqual([
      '/v1/workflows/runs?status=failed&slug=demo&limit=2',
    ]);

    const all = await weft(['runs', 'list', '--limit', '5', '--json']);
    expect((JSON.parse(all.out) as { runs: { runId: string }[] }).runs.map((r) => r.runId)).toEqual(
      ['run_3', 'run_2', 'run_1'],
    );
  });

  it('shows a run with its nodes and outputs, or as JSON', async () => {
    api.routes.set('GET /v1/workflows/runs/run_1', (_request, response) =>
      json(response, 200, COMPLETED),
    );
    const outcome = await weft(['runs', 'show', 'run_1']);
    expect(outcome.code).toBe(0);
    expect(outcome.out).toContain('Run run_1: completed\n  workflow  demo v2 (Demo)');
    expect(outcome.out).toMatch(/gen\s+completed\s+1\s+20ms/);
    expect(outcome.out).toContain('"url": "http://weft.test/v1/artifacts/art_1"');
    expect(JSON.parse((await weft(['runs', 'show', 'run_1', '--json'])).out)).toEqual(COMPLETED);
  });

  it('cancels a run', async () => {
    api.routes.set('POST /v1/workflows/runs/run_1/cancel', (_request, response) =>
      json(response, 200, view('cancelled', {})),
    );
    expect(await weft(['runs', 'cancel', 'run_1'])).toEqual({
      code: 0,
      out: 'Cancelled run run_1.\n',
      err: '',
    });
  });

  it('watches a run to its end as run --wait does: progress, outputs, exit 0', async () => {
    api.routes.set('GET /v1/workflows/runs/run_1/events', (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const running = view('running', {
        gen: { status: 'running', attempt: 1 },
        store: { status: 'pending', attempt: 0 },
      });
      response.write(`event: snapshot\ndata: ${JSON.stringify(running)}\n\n`);
      response.end(`event: end\ndata: ${JSON.stringify(COMPLETED)}\n\n`);
    });
    const outcome = await weft(['runs', 'watch', 'run_1']);
    expect(outcome.code).toBe(0);
    expect(JSON.parse(outcome.out)).toEqual(COMPLETED.outputs);
    expect(outcome.err).toMatch(/^ +\+[0-9.]+s +run run_1 running\n/);
    expect(outcome.err).toMatch(/gen\s+completed\s+attempt 1\s+20ms/);
    expect(outcome.err).toMatch(/run run_1 completed\n$/);
    const machine = await weft(['runs', 'watch', 'run_1', '--json']);
    expect([machine.code, JSON.parse(machine.out)]).toEqual([0, COMPLETED]);
  });

  it('watch exits 1 for a failed run, naming its node, and 3 on --timeout', async () => {
    api.routes.set('GET /v1/workflows/runs/run_1', (_request, response) =>
      json(response, 200, FAILED),
    );
    const failed = await weft(['runs', 'watch', 'run_1']);
    expect(failed.code).toBe(1);
    expect(failed.out).toBe('');
    expect(failed.err).toContain('weft: run run_1 failed\n');
    expect(failed.err).toContain('  error:     kaboom: it broke\n');

    api.routes.set('GET /v1/workflows/runs/run_1/events', (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const running = view('running', { gen: { status: 'running', attempt: 1 } });
      response.write(`event: snapshot\ndata: ${JSON.stringify(running)}\n\n`);
    });
    const slow = await weft(['runs', 'watch', 'run_1', '--timeout', '0.2', '--json']);
    expect(slow.code).toBe(3);
    expect(JSON.parse(slow.out)).toMatchObject({ runId: 'run_1', timedOut: true });
    expect(slow.err).toContain('did not end within 0.2 s (it is running and goes on)');
  });

  it('resumes a run, and with --wait follows it to its end', async () => {
    api.routes.set('POST /v1/workflows/runs/run_1/resume', (_request, response) =>
      json(response, 202, view('running', { gen: { status: 'queued', attempt: 2 } })),
    );
    expect(await weft(['runs', 'resume', 'run_1'])).toEqual({
      code: 0,
      out: 'Resumed run run_1: it is running.\n',
      err: '',
    });
    api.routes.set('GET /v1/workflows/runs/run_1', (_request, response) =>
      json(response, 200, COMPLETED),
    );
    const waited = await weft(['runs', 'resume', 'run_1', '--wait']);
    expect(waited.code).toBe(0);
    expect(JSON.parse(waited.out)).toEqual(COMPLETED.outputs);
    expect(api.requests.filter((r) => r.method === 'POST').map((r) => r.url)).toEqual([
      '/v1/workflows/runs/run_1/resume',
      '/v1/workflows/runs/run_1/resume',
    ]);
  });

  it('exits 1 when the run cannot be resumed, with the API’s reason', async () => {
    api.routes.set('POST /v1/workflows/runs/run_1/resume', (_request, response) =>
      apiError(response, 409, 'run_not_resumable', 'Run run_1 is completed; only failed…', {
        runId: 'run_1',
        status: 'completed',
      }),
    );
    const outcome = await weft(['runs', 'resume', 'run_1']);
    expect(outcome.code).toBe(1);
    expect(outcome.err).toContain('(run_not_resumable, HTTP 409, request req-1)');
  });

  it('exits 1 on an API error, saying its code, status and request id; as JSON with --json', async () => {
    api.routes.set('GET /v1/workflows/runs/run_x', (_request, response) =>
      apiError(response, 404, 'run_not_found', 'No run run_x in this app', { runId: 'run_x' }),
    );
    expect(await weft(['runs', 'show', 'run_x'])).toEqual({
      code: 1,
      out: '',
      err: 'weft: No run run_x in this app (run_not_found, HTTP 404, request req-1)\n',
    });
    const machine = await weft(['runs', 'show', 'run_x', '--json']);
    expect(machine.code).toBe(1);
    expect(JSON.parse(machine.err)).toEqual({
      error: {
        status: 404,
        code: 'run_not_found',
        message: 'No run run_x in this app',
        details: { runId: 'run_x' },
        requestId: 'req-1',
      },
    });
  });

  it('--url and --api-key win over the environment', async () => {
    api.routes.set('GET /v1/workflows/runs/run_1', (_request, response) =>
      json(response, 200, COMPLETED),
    );
    const outcome = await weft(
      ['runs', 'show', 'run_1', '--url', api.url, '--api-key', 'weft_flag_key'],
      {
        WEFT_URL: 'http://127.0.0.1:1',
        WEFT_API_KEY: 'weft_env_key',
      },
    );
    expect(outcome.code).toBe(0);
    expect(api.requests[0]?.headers['x-api-key']).toBe('weft_flag_key');
  });
});

describe('profiles', () => {
  it('give the URL and key when no flag or variable does; a named one must exist', async () => {
    api.routes.set('GET /v1/workflows/runs/run_1', (_request, response) =>
      json(response, 200, COMPLETED),
    );
    const file = join(dir, 'config.json');
    await writeFile(
      file,
      JSON.stringify({ profiles: { staging: { url: api.url, apiKey: 'weft_profile_key' } } }),
    );
    const env = { WEFT_URL: '', WEFT_API_KEY: '', WEFT_CONFIG: file };
    const outcome = await weft(['runs', 'show', 'run_1', '--profile', 'staging'], env);
    expect(outcome.code).toBe(0);
    expect(api.requests[0]?.headers['x-api-key']).toBe('weft_profile_key');

    const missing = await weft(['runs', 'show', 'run_1', '--profile', 'prod'], env);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain(`there is no profile "prod": ${file} has staging`);
    // Without --profile and no "default" profile: no key at all.
    const none = await weft(['runs', 'show', 'run_1'], env);
    expect([none.code, none.err]).toEqual([2, expect.stringContaining('no API key')]);
    expect(api.requests).toHaveLength(1);
  });
});

describe('weft workflows', () => {
  const bad = {
    name: 'Broken',
    dag: {
      nodes: {
        gen: { task: 'no/such-task', inputs: { prompt: '${nodes.ghost.result.text}' } },
      },
      edges: [],
    },
  };

  it('validates a file locally: every diagnostic with node and field, exit 1 on errors', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify(bad));
    const outcome = await weft(['workflows', 'validate', file], { WEFT_API_KEY: '' });
    expect(outcome.code).toBe(1);
    expect(outcome.out).toMatch(
      /^error {7}node "gen", field "task": .*\(\w+, at \/dag\/nodes\/gen\/task\)$/m,
    );
    expect(outcome.out).toMatch(/^error {7}node "gen", field "prompt": .*ghost/m);
    expect(outcome.out).toMatch(new RegExp(`${file}: invalid, \\d+ errors?, `));
    expect(api.requests).toEqual([]);

    const machine = await weft(['workflows', 'validate', file, '--json']);
    expect(JSON.parse(machine.out)).toMatchObject({
      valid: false,
      diagnostics: { errors: expect.any(Array) as unknown },
    });
  });

  it('validates a good file (exit 0) and says clearly when a file is missing or not JSON', async () => {
    const good = join(dir, 'good.json');
    await writeFile(
      good,
      JSON.stringify({
        name: 'Ok',
        steps: [{ id: 'a', type: 'core/transform', input: { value: 1 } }],
      }),
    );
    const outcome = await weft(['workflows', 'validate', good]);
    expect(outcome).toMatchObject({
      code: 0,
      out: expect.stringContaining('valid, 0 errors') as unknown,
    });
    expect(await weft(['workflows', 'validate', join(dir, 'nope.json')])).toMatchObject({
      code: 1,
      err: expect.stringContaining('there is no file') as unknown,
    });
    const notJson = join(dir, 'text.json');
    await writeFile(notJson, 'name: yaml?');
    expect((await weft(['workflows', 'validate', notJson])).err).toMatch(/is not JSON/);
  });

  it('pushes a file under its name’s slug, printing the diagnostics that did not block', async () => {
    const file = join(dir, 'My Flow.json');
    await writeFile(file, JSON.stringify({ name: 'Mine', dag: { nodes: {}, edges: [] } }));
    api.routes.set('POST /v1/workflows', (_request, response) =>
      json(response, 201, {
        workflow: {
          id: 'wf_1',
          slug: 'my-flow',
          version: 3,
          name: 'Mine',
          description: null,
          builtIn: false,
          createdAt: null,
        },
        diagnostics: {
          errors: [],
          type_issues: [],
          warnings: [{ code: 'unused_output', message: 'nobody reads it', node: 'a' }],
        },
      }),
    );
    const outcome = await weft(['workflows', 'push', file]);
    expect(api.requests[0]?.json).toEqual({
      slug: 'my-flow',
      definition: { name: 'Mine', dag: { nodes: {}, edges: [] } },
    });
    expect(outcome.out).toBe(
      'Saved my-flow version 3 (wf_1): 0 errors, 0 type issues, 1 warning.\n' +
        'warning     node "a": nobody reads it (unused_output)\n',
    );
  });

  it('prints the diagnostics of a refused push and exits 1', async () => {
    const file = join(dir, 'refused.json');
    await writeFile(file, JSON.stringify(bad));
    api.routes.set('POST /v1/workflows', (_request, response) =>
      apiError(
        response,
        422,
        'invalid_definition',
        'The definition has 1 error(s); see details.diagnostics',
        {
          diagnostics: {
            errors: [{ code: 'unknown_task', message: 'no such task', node: 'gen', field: 'task' }],
            type_issues: [],
            warnings: [],
          },
        },
      ),
    );
    const outcome = await weft(['workflows', 'push', file, '--slug', 'refused']);
    expect(outcome.code).toBe(1);
    expect(outcome.err).toBe(
      'weft: The definition has 1 error(s); see details.diagnostics (invalid_definition, HTTP 422, request req-1)\n' +
        'error       node "gen", field "task": no such task (unknown_task)\n',
    );
  });

  it('shows a workflow by id, finding its slug in the listing when /api is not there', async () => {
    api.routes.set('GET /v1/workflows', (_request, response) =>
      json(response, 200, { workflows: [{ id: 'wf_9', slug: 'nine', latestVersion: 1 }] }),
    );
    api.routes.set('GET /v1/workflows/nine', (_request, response) =>
      json(response, 200, {
        workflow: {
          id: 'wf_9',
          slug: 'nine',
          version: 1,
          name: 'Nine',
          description: null,
          builtIn: false,
          createdAt: null,
          definition: { name: 'Nine' },
        },
      }),
    );
    const outcome = await weft(['workflows', 'show', 'wf_9']);
    expect(outcome.code).toBe(0);
    expect(outcome.out).toContain('nine version 1: Nine\n');
    expect(api.requests.map((r) => r.url)).toEqual([
      '/api/workflows/wf_9',
      '/v1/workflows',
      '/v1/workflows/nine',
    ]);
  });

  it('lists workflows, built-in templates marked', async () => {
    api.routes.set('GET /v1/workflows', (_request, response) =>
      json(response, 200, {
        workflows: [
          {
            id: null,
            slug: 'image-generate-v1',
            name: 'Image generate',
            latestVersion: 1,
            builtIn: true,
            updatedAt: null,
          },
        ],
      }),
    );
    expect((await weft(['workflows', 'list'])).out).toMatch(
      /image-generate-v1\s+1\s+Image generate\s+built-in/,
    );
  });
});

describe('weft keys over the API', () => {
  it('lists, creates and revokes the current app’s keys when no --app is given', async () => {
    api.routes.set('GET /v1/keys', (_request, response) =>
      json(response, 200, {
        keys: [{ id: 'key_1', prefix: 'abcdefgh', createdAt: '2025-01-01T00:00:00.000Z' }],
      }),
    );
    api.routes.set('POST /v1/keys', (_request, response) =>
      json(response, 201, {
        key: { id: 'key_2', prefix: 'ijklmnop', createdAt: 'x' },
        apiKey: 'weft_ijklmnop_secret',
      }),
    );
    api.routes.set('DELETE /v1/keys/key_2', (_request, response) =>
      json(response, 200, {
        key: { id: 'key_2', prefix: 'ijklmnop', createdAt: 'x', revokedAt: 'y' },
      }),
    );
    expect((await weft(['keys', 'list'])).out).toMatch(
      /key_1\s+weft_abcdefgh_…\s+2025-01-01T00:00:00.000Z\s+never\s+active/,
    );
    expect(JSON.parse((await weft(['keys', 'create', '--json'])).out)).toEqual({
      keyId: 'key_2',
      apiKey: 'weft_ijklmnop_secret',
    });
    expect((await weft(['keys', 'revoke', 'key_2'])).out).toBe(
      'Revoked key key_2 (weft_ijklmnop_…).\n',
    );
  });
});

describe('weft task-types', () => {
  const registered = {
    name: 'acme/resize',
    version: 3,
    description: 'Resizes an image.',
    inputSchema: { type: 'object' },
    outputSchema: { type: 'object' },
    registeredAt: '2025-01-01T00:00:00.000Z',
  };

  it('lists built-in and registered types with their version and whether they are built in', async () => {
    api.routes.set('GET /v1/task-types', (_request, response) =>
      json(response, 200, {
        taskTypes: [
          {
            name: 'core/delay',
            category: 'control',
            description: 'Waits.',
            needsModel: false,
            models: [],
            inputSchema: {},
            outputSchema: {},
            builtIn: true,
          },
          { ...registered, category: 'custom', needsModel: false, models: [], builtIn: false },
        ],
      }),
    );
    const lines = (await weft(['task-types', 'list'])).out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+CATEGORY\s+VERSION\s+BUILT-IN\s+MODEL\s+DESCRIPTION$/);
    expect(lines[1]).toMatch(/^core\/delay\s+control\s+yes\s+Waits\.$/);
    expect(lines[2]).toMatch(/^acme\/resize\s+custom\s+3\s+no\s+Resizes an image\.$/);
  });

  it('removes a registered type over the admin API, its name encoded in the path', async () => {
    api.routes.set('DELETE /v1/admin/task-types/acme%2Fresize', (_request, response) =>
      json(response, 200, { taskType: registered }),
    );
    const outcome = await weft(['task-types', 'remove', 'acme/resize'], {
      WEFT_ADMIN_TOKEN: 'admin-token',
    });
    expect(outcome).toMatchObject({ code: 0, err: '' });
    expect(outcome.out).toContain('Removed task type acme/resize (version 3');
    expect(api.requests[0]?.headers.authorization).toBe('Bearer admin-token');
    expect(api.requests[0]?.headers['x-api-key']).toBeUndefined();
  });

  it('needs the admin token, and says when no such type is registered', async () => {
    const without = await weft(['task-types', 'remove', 'acme/resize']);
    expect(without.code).toBe(2);
    expect(without.err).toContain('no admin token');
    expect(api.requests).toEqual([]);

    api.routes.set('DELETE /v1/admin/task-types/image_generate', (_request, response) =>
      apiError(response, 404, 'task_type_not_found', '"image_generate" is a built-in task type', {
        name: 'image_generate',
        builtIn: true,
      }),
    );
    const builtIn = await weft(['task-types', 'remove', 'image_generate'], {
      WEFT_ADMIN_TOKEN: 'admin-token',
    });
    expect(builtIn.code).toBe(1);
    expect(builtIn.err).toContain('task_type_not_found');
  });
});
