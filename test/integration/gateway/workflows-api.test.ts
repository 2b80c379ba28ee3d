import { TEMPLATES } from '@weft/core';
import { expectApiError, startGatewayFixture, type GatewayFixture } from './gateway-fixture';

interface WorkflowBody {
  id: string | null;
  slug: string;
  name: string;
  description: string | null;
  version: number;
  builtIn: boolean;
  createdAt: string | null;
  definition?: { name: string; dag: { nodes: Record<string, unknown> } };
}

interface ListedWorkflow {
  id: string | null;
  slug: string;
  latestVersion: number;
  builtIn: boolean;
}

const canonical = (name: string) => ({
  name,
  description: `${name}, described`,
  dag: {
    nodes: {
      write: {
        task: 'openai/chat-completion',
        model_id: 'Qwen/Qwen3.5-4B',
        inputs: { messages: [{ role: 'user', content: '${input.topic}' }] },
      },
    },
    edges: [],
  },
});

describe('the workflows API on a real database', () => {
  let fx: GatewayFixture;

  beforeAll(async () => {
    fx = await startGatewayFixture('gateway-workflows');
  });

  afterAll(async () => {
    await fx?.close();
  });

  it('makes a new immutable version on every save, and serves latest and pinned versions', async () => {
    const first = await fx.request('POST', '/v1/workflows', {
      body: { slug: 'poem', definition: canonical('Poem') },
    });
    expect(first.status).toBe(201);
    const saved = first.body as { workflow: WorkflowBody; diagnostics: Record<string, unknown[]> };
    expect(saved.workflow).toEqual({
      id: expect.stringMatching(/^wf_/) as unknown,
      slug: 'poem',
      name: 'Poem',
      description: 'Poem, described',
      version: 1,
      builtIn: false,
      createdAt: expect.any(String) as unknown,
    });
    expect(saved.diagnostics).toEqual({
      errors: [],
      type_issues: expect.any(Array) as unknown,
      warnings: expect.any(Array) as unknown,
    });
    expect(first.headers.get('location')).toBe('/v1/workflows/poem/versions/1');

    const second = await fx.request('POST', '/v1/workflows', {
      body: { slug: 'poem', definition: canonical('Poem II') },
    });
    expect((second.body as { workflow: WorkflowBody }).workflow).toMatchObject({
      id: saved.workflow.id,
      version: 2,
      name: 'Poem II',
    });

    const latest = (await fx.request('GET', '/v1/workflows/poem')).body as {
      workflow: WorkflowBody;
    };
    expect(latest.workflow).toMatchObject({ version: 2, name: 'Poem II' });
    expect(latest.workflow.definition?.name).toBe('Poem II');
    const v1 = (await fx.request('GET', '/v1/workflows/poem/versions/1')).body as {
      workflow: WorkflowBody;
    };
    expect(v1.workflow).toMatchObject({ version: 1, name: 'Poem' });
    expect(v1.workflow.definition).toEqual(canonical('Poem'));

    const versions = (await fx.request('GET', '/v1/workflows/poem/versions')).body as {
      versions: WorkflowBody[];
    };
    expect(versions.versions.map((version) => [version.version, version.name])).toEqual([
      [1, 'Poem'],
      [2, 'Poem II'],
    ]);
    expect(versions.versions[0]).not.toHaveProperty('definition');

    expectApiError(
      await fx.request('GET', '/v1/workflows/poem/versions/3'),
      404,
      'workflow_not_found',
    );
    expectApiError(
      await fx.request('GET', '/v1/workflows/poem/versions/one'),
      400,
      'invalid_request',
    );
    expectApiError(await fx.request('GET', '/v1/workflows/nothing'), 404, 'workflow_not_found');
  });

  it('accepts the steps form and normalizes it', async () => {
    const response = await fx.request('POST', '/v1/workflows', {
      body: {
        slug: 'steps-form',
        definition: {
          name: 'Steps',
          steps: [{ id: 'a', type: 'text_generate', input: { prompt: 'hi' } }],
        },
      },
    });
    expect(response.status).toBe(201);
    const got = (await fx.request('GET', '/v1/workflows/steps-form')).body as {
      workflow: WorkflowBody;
    };
    expect(Object.keys(got.workflow.definition?.dag.nodes ?? {})).toEqual(['a']);
  });

  it('refuses a definition with errors with its diagnostics, storing nothing', async () => {
    const collections = ['workflows', 'workflow_versions', 'definitions'];
    const before = await Promise.all(collections.map((name) => fx.count(name)));
    const broken = {
      name: 'Broken',
      dag: {
        nodes: { a: { task: 'no/such-task', inputs: {} } },
        edges: [{ from: 'a', to: 'ghost' }],
      },
    };
    const response = await fx.request('POST', '/v1/workflows', {
      body: { slug: 'broken', definition: broken },
    });
    const error = expectApiError(response, 422, 'invalid_definition');
    const diagnostics = error.details.diagnostics as { errors: { code: string; path?: string }[] };
    expect(diagnostics.errors.map((found) => found.code)).toEqual(
      expect.arrayContaining(['unknown_task', 'unknown_edge_node']),
    );

    expectApiError(
      await fx.request('POST', '/v1/workflows', { body: { slug: 'Bad Slug', definition: broken } }),
      400,
      'invalid_request',
    );
    expectApiError(
      await fx.request('POST', '/v1/workflows', {
        body: { slug: 'runs', definition: canonical('R') },
      }),
      400,
      'invalid_request',
    );
    expectApiError(
      await fx.request('POST', '/v1/workflows', { body: { definition: canonical('No slug') } }),
      400,
      'invalid_request',
    );
    expectApiError(
      await fx.request('POST', '/v1/workflows', { body: '{"slug":' }),
      400,
      'malformed_json',
    );
    expect(await Promise.all(collections.map((name) => fx.count(name)))).toEqual(before);
    expectApiError(await fx.request('GET', '/v1/workflows/broken'), 404, 'workflow_not_found');
  });

  it('offers the built-in templates to every app, and keeps apps apart', async () => {
    const other = await fx.apps.createApp('other app');
    const headers = { 'x-api-key': other.apiKey };
    const listed = (await fx.request('GET', '/v1/workflows', { headers })).body as {
      workflows: ListedWorkflow[];
    };
    expect(listed.workflows).toEqual(
      TEMPLATES.map((template): unknown =>
        expect.objectContaining({ id: null, slug: template.slug, latestVersion: 1, builtIn: true }),
      ),
    );
    expectApiError(
      await fx.request('GET', '/v1/workflows/poem', { headers }),
      404,
      'workflow_not_found',
    );

    const builtIn = (await fx.request('GET', '/v1/workflows/image-generate-v1', { headers }))
      .body as {
      workflow: WorkflowBody;
    };
    expect(builtIn.workflow).toMatchObject({
      id: null,
      version: 1,
      builtIn: true,
      createdAt: null,
    });
    expect(Object.keys(builtIn.workflow.definition?.dag.nodes ?? {})).toContain('generate');

    const mine = (await fx.request('GET', '/v1/workflows')).body as { workflows: ListedWorkflow[] };
    expect(mine.workflows.filter((workflow) => !workflow.builtIn).map((w) => w.slug)).toEqual([
      'poem',
      'steps-form',
    ]);
    expect(mine.workflows.find((workflow) => workflow.slug === 'poem')?.latestVersion).toBe(2);
  });
});
