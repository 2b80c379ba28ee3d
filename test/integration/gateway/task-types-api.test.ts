import { WeftApiError, WeftClient, type TaskTypeView } from '@weft/client';
import type { TaskTypeRegistration } from '@weft/core';
import { registerTaskTypes, TaskTypeConflictError } from '@weft/task-registry';
import { waitFor } from '../../support/test-infrastructure';
import { expectApiError, startGatewayFixture, type GatewayFixture } from './gateway-fixture';

/**
 * Task types registered at run time, end to end on the real broker and database: registered
 * through Kafka as a user's worker does, then listed, validated against, run with their defaults,
 * and removed through the admin API.
 */

const ADMIN_TOKEN = 'admin-'.padEnd(40, 'x');

const resize: TaskTypeRegistration = {
  name: 'acme/resize',
  version: 1,
  description: 'Resizes an image.',
  inputSchema: {
    type: 'object',
    required: ['image_url', 'width'],
    properties: { image_url: { type: 'string' }, width: { type: 'integer', minimum: 1 } },
    additionalProperties: false,
  },
  outputSchema: {
    type: 'object',
    required: ['url', 'width'],
    properties: { url: { type: 'string' }, width: { type: 'integer' } },
  },
  retry: { max_attempts: 6, initial_delay_ms: 250 },
  timeout: 90,
};

/** A prompt drawn, resized by the registered type, and its URL read downstream at `path`. */
function workflow(path: string, task = 'acme/resize') {
  return {
    name: 'Thumbnails',
    dag: {
      nodes: {
        draw: { task: 'image_generate', inputs: { prompt: '${input.prompt}' } },
        resize: {
          task,
          inputs: { image_url: '${nodes.draw.result.images[0].url}', width: 128 },
        },
        publish: { task: 'core/transform', inputs: { value: `\${nodes.resize.result.${path}}` } },
      },
      edges: [
        { from: 'draw', to: 'resize' },
        { from: 'resize', to: 'publish' },
      ],
    },
  };
}

interface Diagnostic {
  code: string;
  node?: string;
  message: string;
}

describe('task types registered at run time, through the gateway', () => {
  let fx: GatewayFixture;
  let admin: WeftClient;

  /** The task types as `GET /v1/task-types` lists them. */
  async function listed(): Promise<TaskTypeView[]> {
    const answer = await fx.request('GET', '/v1/task-types');
    expect(answer.status).toBe(200);
    return (answer.body as { taskTypes: TaskTypeView[] }).taskTypes;
  }

  /** Waits until the gateway's registry has read what the broker holds. */
  const caughtUp = () => fx.taskTypes?.catchUp();

  beforeAll(async () => {
    fx = await startGatewayFixture('gateway-task-types', {
      adminToken: ADMIN_TOKEN,
      taskRegistry: true,
      explainWaiting: true,
    });
    admin = new WeftClient({ url: fx.url, adminToken: ADMIN_TOKEN, retries: 0 });
  });

  afterAll(async () => {
    await fx?.close();
  });

  it('lists a type a worker registered through Kafka after the built-in ones', async () => {
    await registerTaskTypes(fx.kafka, [resize], { stepPartitions: 2 });
    // The gateway follows the registry on its own: no call of ours tells it.
    await waitFor('the registered type to be listed', async () =>
      (await listed()).some((type) => type.name === 'acme/resize') ? true : undefined,
    );
    const types = await listed();
    const custom = types.filter((type) => !type.builtIn);
    expect(types.slice(0, types.length - 1).every((type) => type.builtIn)).toBe(true);
    expect(types[0]).not.toHaveProperty('version');
    expect(custom).toEqual([
      {
        name: 'acme/resize',
        category: 'custom',
        description: 'Resizes an image.',
        needsModel: false,
        models: [],
        inputSchema: resize.inputSchema,
        outputSchema: resize.outputSchema,
        builtIn: false,
        version: 1,
        registeredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
        retry: resize.retry,
        timeout: 90,
      },
    ]);
  });

  it('validates a workflow naming it, and reports a reference to a field its result lacks', async () => {
    const saved = await fx.request('POST', '/v1/workflows', {
      body: { slug: 'thumbnails', definition: workflow('url') },
    });
    expect(saved.status).toBe(201);
    expect((saved.body as { diagnostics: unknown }).diagnostics).toEqual({
      errors: [],
      type_issues: [],
      warnings: [],
    });

    const typo = await fx.request('POST', '/v1/workflows', {
      body: { slug: 'thumbnails-typo', definition: workflow('uri') },
    });
    expect(typo.status).toBe(201);
    const issues = (typo.body as { diagnostics: { type_issues: Diagnostic[] } }).diagnostics
      .type_issues;
    expect(issues).toEqual([
      expect.objectContaining({ code: 'unknown_output_path', node: 'publish' }),
    ]);
    expect(issues[0]?.message).toContain('the result of acme/resize has no "uri"');

    const badInput = workflow('url');
    badInput.dag.nodes.resize.inputs.width = 'wide' as unknown as number;
    const refused = await fx.request('POST', '/v1/workflows/run', {
      body: { plan: badInput, input: { prompt: 'a cat' } },
    });
    const error = expectApiError(refused, 422, 'invalid_definition');
    expect(JSON.stringify(error.details)).toContain('invalid_inputs');
  });

  it('refuses a workflow naming a type nobody registered, suggesting the one that is', async () => {
    const answer = await fx.request('POST', '/v1/workflows', {
      body: { slug: 'unknown', definition: workflow('url', 'acme/resise') },
    });
    const error = expectApiError(answer, 422, 'invalid_definition');
    const errors = (error.details as { diagnostics: { errors: Diagnostic[] } }).diagnostics.errors;
    expect(errors.map((diagnostic) => diagnostic.code)).toEqual(['unknown_task']);
    expect(errors[0]?.message).toContain('did you mean "acme/resize"?');
  });

  it("starts runs with the type's retry policy and timeout on nodes that set none, and says to start its worker", async () => {
    const started = await fx.request('POST', '/v1/workflows/run', {
      body: { workflowSlug: 'thumbnails', input: { prompt: 'a cat' } },
    });
    expect(started.status).toBe(202);
    const { runId } = started.body as { runId: string };
    const run = await fx.runs.get(fx.appId, runId);
    const stored = await fx.definitions.get(run?.definitionId ?? '');
    expect(stored?.dag.nodes.resize).toMatchObject({ retry: resize.retry, timeout: 90 });
    expect(stored?.dag.nodes.draw?.retry).toBeUndefined();
    // The saved version keeps what its author wrote: a new version of the type brings new defaults.
    const version = await fx.request('GET', '/v1/workflows/thumbnails');
    expect(
      (version.body as { workflow: { definition: typeof stored } }).workflow.definition?.dag.nodes
        .resize,
    ).not.toHaveProperty('retry');

    const own = workflow('url');
    Object.assign(own.dag.nodes.resize, { retry: { max_attempts: 1 } });
    const plan = await fx.request('POST', '/v1/workflows/run', {
      body: { plan: own, input: { prompt: 'a dog' } },
    });
    const planRun = await fx.runs.get(fx.appId, (plan.body as { runId: string }).runId);
    const planDefinition = await fx.definitions.get(planRun?.definitionId ?? '');
    expect(planDefinition?.dag.nodes.resize).toMatchObject({
      retry: { max_attempts: 1 },
      timeout: 90,
    });

    // Nobody serves the registered type: the run view says to start its worker, not STEP_TYPES.
    const alone = await fx.request('POST', '/v1/workflows/run', {
      body: {
        plan: {
          name: 'Resize only',
          dag: {
            nodes: { resize: { task: 'acme/resize', inputs: { image_url: 'x', width: 8 } } },
            edges: [],
          },
        },
      },
    });
    const statusUrl = (alone.body as { statusUrl: string }).statusUrl;
    const waiting = await waitFor('the queued node to be explained', async () => {
      const view = await fx.request('GET', statusUrl);
      const node = (view.body as { nodes: Record<string, { waiting?: { message: string } }> }).nodes
        .resize;
      return node?.waiting;
    });
    expect(waiting).toMatchObject({
      reason: 'no_worker',
      message: 'no worker serves acme/resize: start a worker that registers and serves acme/resize',
    });
  });

  it('takes registered types on the seed API too, and runs them with their defaults', async () => {
    const created = await fx.request('POST', '/api/workflows', { body: workflow('url') });
    expect(created.status).toBe(201);
    const { id } = (created.body as { workflow: { id: string } }).workflow;
    const typo = await fx.request('POST', '/api/workflows', { body: workflow('uri') });
    expect(
      (typo.body as { diagnostics: { type_issues: Diagnostic[] } }).diagnostics.type_issues,
    ).toEqual([expect.objectContaining({ code: 'unknown_output_path' })]);

    const executed = await fx.request('POST', `/api/workflows/${id}/execute`, {
      body: { input_params: { prompt: 'a cat' } },
    });
    expect(executed.status).toBe(201);
    const run = await fx.runs.get(
      fx.appId,
      (executed.body as { execution: { id: string } }).execution.id,
    );
    const stored = await fx.definitions.get(run?.definitionId ?? '');
    expect(stored?.dag.nodes.resize).toMatchObject({ retry: resize.retry, timeout: 90 });
  });

  it('refuses an incompatible registration at the same version, and takes it as a new version', async () => {
    const incompatible: TaskTypeRegistration = {
      ...resize,
      outputSchema: {
        type: 'object',
        required: ['href'],
        properties: { href: { type: 'string' } },
      },
    };
    const refused = await registerTaskTypes(fx.kafka, [incompatible]).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(TaskTypeConflictError);
    expect((refused as Error).message).toMatch(
      /task type "acme\/resize" version 1 .*incompatible[\s\S]*output "url" was removed[\s\S]*Raise "version"/,
    );
    await caughtUp();
    expect((await listed()).find((type) => type.name === 'acme/resize')?.version).toBe(1);

    await registerTaskTypes(fx.kafka, [{ ...incompatible, version: 2 }]);
    await caughtUp();
    expect((await listed()).find((type) => type.name === 'acme/resize')).toMatchObject({
      version: 2,
      outputSchema: incompatible.outputSchema,
    });
    // Workflows validate against the new version: the saved one now reads a field it lacks.
    const rerun = await fx.request('POST', '/v1/workflows/run', {
      body: { plan: workflow('url'), input: { prompt: 'a cat' } },
    });
    expect(rerun.status).toBe(202);
    const checked = await fx.request('POST', '/v1/workflows', {
      body: { slug: 'thumbnails', definition: workflow('url') },
    });
    expect(
      (checked.body as { diagnostics: { type_issues: Diagnostic[] } }).diagnostics.type_issues,
    ).toEqual([expect.objectContaining({ code: 'unknown_output_path' })]);
  });

  it('refuses a reserved name', async () => {
    await expect(
      registerTaskTypes(fx.kafka, [{ ...resize, name: 'openai/resize' }]),
    ).rejects.toThrow(/"openai".*reserved/);
    await caughtUp();
    expect((await listed()).some((type) => type.name === 'openai/resize')).toBe(false);
  });

  it('lists and removes registered types through the admin API; workflows naming one are refused then', async () => {
    const registered = await admin.admin.taskTypes.list();
    expect(registered.map((type) => [type.name, type.version])).toEqual([['acme/resize', 2]]);

    const removed = await admin.admin.taskTypes.remove('acme/resize');
    expect(removed).toMatchObject({ name: 'acme/resize', version: 2 });
    // The gateway waited for its registry to see the removal before answering.
    expect((await listed()).some((type) => type.name === 'acme/resize')).toBe(false);
    expect(await admin.admin.taskTypes.list()).toEqual([]);

    const again = await admin.admin.taskTypes
      .remove('acme/resize')
      .catch((error: unknown) => error);
    expect(again).toBeInstanceOf(WeftApiError);
    expect((again as WeftApiError).code).toBe('task_type_not_found');
    const builtIn = await fx.request('DELETE', '/v1/admin/task-types/image_generate', {
      headers: { 'x-api-key': '', authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(expectApiError(builtIn, 404, 'task_type_not_found').details).toEqual({
      name: 'image_generate',
      builtIn: true,
    });

    const saved = await fx.request('POST', '/v1/workflows/run', {
      body: { workflowSlug: 'thumbnails', input: { prompt: 'a cat' } },
    });
    const error = expectApiError(saved, 422, 'invalid_definition');
    expect(error.message).toContain('Workflow "thumbnails" version');
    expect(JSON.stringify(error.details)).toContain('unknown_task');
  });
});
