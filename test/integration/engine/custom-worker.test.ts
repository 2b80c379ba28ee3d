import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { WeftClient } from '@weft/client';
import {
  createWorker,
  defineTaskType,
  TaskTypeConflictError,
  type TaskHandler,
  type Worker,
} from '@weft/worker';
import { slowEcho, wordCount } from '../../../examples/custom-worker/src/task-types';
import { TEST_PARTITIONS, TestEngine } from '../../support/engine';
import { requiredEnv, waitFor } from '../../support/test-infrastructure';

/**
 * Users' own step types, served by their own process: the example worker
 * (examples/custom-worker), started as its own process with Kafka's variables only — no
 * MONGODB_URI — runs workflows mixing Weft's steps with its own, beside Weft's own worker.
 */

const ROOT = join(__dirname, '..', '..', '..');
const report = (text: string, seconds = 0) => ({
  plan: JSON.parse(
    JSON.stringify({
      name: 'word report',
      dag: {
        nodes: {
          clean: { task: 'core/transform', inputs: { value: '${input.text}' } },
          count: {
            task: 'acme/word-count',
            inputs: { text: '${nodes.clean.result}' },
            retry: { max_attempts: 4, initial_delay_ms: 100 },
          },
          echo: {
            task: 'acme/slow-echo',
            inputs: { text: '${nodes.count.result.longest}', seconds: '${input.seconds}' },
          },
        },
        edges: [
          { from: 'clean', to: 'count' },
          { from: 'count', to: 'echo' },
        ],
      },
    }),
  ) as unknown,
  input: { text, seconds },
});

describe('a worker of your own', () => {
  const engine = new TestEngine();
  let client: WeftClient;
  const processes = new Map<string, ChildProcess>();

  /** The example worker as its own process, from its build, with Kafka's variables only. */
  async function startAcmeWorker(workerId: string): Promise<ChildProcess> {
    const env = {
      PATH: process.env.PATH ?? '',
      KAFKA_BROKERS: requiredEnv('KAFKA_BROKERS'),
      WEFT_KAFKA_NAMESPACE: engine.namespace,
      WEFT_STEP_PARTITIONS: String(TEST_PARTITIONS.steps),
      WEFT_RESULT_PARTITIONS: String(TEST_PARTITIONS.results),
      WORKER_ID: workerId,
      WORKER_LEASE_MS: '3000',
      WORKER_SESSION_TIMEOUT_MS: '6000',
      LOG_LEVEL: 'warn',
    };
    expect(env).not.toHaveProperty('MONGODB_URI');
    const child = spawn(
      process.execPath,
      [join(ROOT, 'examples', 'custom-worker', 'dist', 'worker.js')],
      { env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    processes.set(workerId, child);
    let said = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      if (process.env.TEST_LOG_LEVEL) process.stderr.write(chunk);
    });
    await waitFor(`${workerId} ready`, async () => {
      if (child.exitCode !== null) throw new Error(`${workerId} exited: ${said}`);
      return said.includes('acme worker ready') ? true : undefined;
    });
    return child;
  }

  beforeAll(async () => {
    await engine.open();
    await engine.startOrchestrator();
    await engine.startWorker({ stepTypes: ['core/transform'] });
    const gateway = await engine.startGateway({ taskRegistry: true });
    client = new WeftClient({ url: gateway.url, apiKey: gateway.apiKey });
    await startAcmeWorker('acme-1');
  });

  afterAll(async () => {
    for (const child of processes.values()) child.kill('SIGKILL');
    await engine.close();
  });

  async function finished(runId: string, timeoutMs = 60_000) {
    return engine.waitForRun(runId, undefined, timeoutMs);
  }

  it('registers its task types, which the API lists and validates against as Weft’s own', async () => {
    await waitFor('acme types listed', async () => {
      const taskTypes = await client.taskTypes.list();
      return taskTypes.some((type) => type.name === 'acme/slow-echo') ? taskTypes : undefined;
    });
    const taskTypes = await client.taskTypes.list();
    expect(taskTypes.find((type) => type.name === 'acme/word-count')).toMatchObject({
      builtIn: false,
      version: 1,
      category: 'custom',
      outputSchema: wordCount.outputSchema,
    });
    // Its output schema drives type issues on references, as a built-in one's does.
    const wrong = report('x');
    const nodes = (wrong.plan as { dag: { nodes: Record<string, { inputs: object }> } }).dag.nodes;
    nodes.echo!.inputs = { text: '${nodes.count.result.syllables}', seconds: 0 };
    const saved = await client.workflows.save({
      slug: 'word-report-typo',
      definition: wrong.plan as Record<string, unknown>,
    });
    expect(saved.diagnostics.type_issues).toEqual([
      expect.objectContaining({ code: 'unknown_output_path', node: 'echo' }),
    ]);
    expect(saved.diagnostics.type_issues[0]?.message).toContain(
      'the result of acme/word-count has no "syllables"',
    );
  });

  it('runs a workflow mixing a built-in step with its own to completion', async () => {
    const { runId } = await client.runs.start(report('the quick brown fox') as never);
    const done = await finished(runId);
    expect(done.status).toBe('completed');
    expect(done.nodes.count?.result).toEqual({ words: 4, longest: 'quick' });
    expect(done.nodes.echo?.result).toMatchObject({ text: 'quick' });
    expect(done.nodes.count?.workerId).toBe('acme-1');
  });

  it('fails a node at once when its handler throws NonRetriableError', async () => {
    const plan = report('one two three').plan as {
      dag: { nodes: Record<string, { inputs: object }> };
    };
    plan.dag.nodes.count!.inputs = { text: '${nodes.clean.result}', max_words: 2 };
    const { runId } = await client.runs.start({
      plan: plan,
      input: { text: 'one two three', seconds: 0 },
    });
    const done = await finished(runId);
    expect(done.status).toBe('failed');
    // Its retry policy allows 4 attempts; a NonRetriableError takes none of them.
    expect(done.nodes.count).toMatchObject({
      status: 'failed',
      attempt: 1,
      error: { code: 'too_many_words', retryable: false, details: { words: 3, max_words: 2 } },
    });
  });

  it('shares the load between two instances, and loses nothing when one is killed mid-step', async () => {
    await startAcmeWorker('acme-2');
    const started = await Promise.all(
      Array.from({ length: 16 }, (_, i) => client.runs.start(report(`run ${i} of many`) as never)),
    );
    const done = await Promise.all(started.map(({ runId }) => finished(runId)));
    expect(done.every((run) => run.status === 'completed')).toBe(true);
    const servedBy = new Set(done.map((run) => run.nodes.count?.workerId));
    expect(servedBy).toEqual(new Set(['acme-1', 'acme-2']));

    // A slow echo on one of them, which is then killed: its attempt runs again on the other.
    const { runId } = await client.runs.start(report('slow and steady', 4) as never);
    const running = await engine.waitForRun(runId, (run) => run.nodes.echo?.status === 'running');
    const victim = running.nodes.echo?.workerId ?? '';
    const survivor = victim === 'acme-1' ? 'acme-2' : 'acme-1';
    const child = processes.get(victim);
    child?.kill('SIGKILL');
    if (child && child.exitCode === null) await once(child, 'exit');
    const recovered = await finished(runId);
    expect(recovered.status).toBe('completed');
    expect(recovered.nodes.echo).toMatchObject({
      workerId: survivor,
      attempt: 2,
      lost: 1,
      error: { code: 'worker_lost' },
      result: { text: 'steady' },
    });
  });
});

describe('a worker of your own, in process', () => {
  const engine = new TestEngine();
  const workers: Worker[] = [];
  let client: WeftClient;
  let gateway: Awaited<ReturnType<TestEngine['startGateway']>>;

  beforeAll(async () => {
    await engine.open();
    await engine.startOrchestrator();
    gateway = await engine.startGateway({ taskRegistry: true });
    client = new WeftClient({ url: gateway.url, apiKey: gateway.apiKey });
  });

  afterAll(async () => {
    for (const worker of workers) await worker.stop();
    await engine.close();
  });

  function worker(
    taskTypes: Parameters<typeof createWorker>[0]['taskTypes'],
    settings: Partial<Parameters<typeof createWorker>[0]> = {},
  ): Worker {
    const created = createWorker({
      ...settings,
      brokers: requiredEnv('KAFKA_BROKERS'),
      kafka: { namespace: engine.namespace, logLevel: 'nothing' },
      taskTypes,
      topicPartitions: TEST_PARTITIONS,
      workerId: `in-process-${workers.length}`,
      logLevel: 'error',
    });
    workers.push(created);
    return created;
  }

  it('refuses to start on an incompatible change of a registered type, and takes a new version', async () => {
    await worker([wordCount, slowEcho]).start();
    const changed = {
      name: wordCount.name,
      description: wordCount.description,
      // A new required input: workflows written for version 1 would no longer fit.
      inputSchema: {
        type: 'object' as const,
        required: ['text', 'language'],
        properties: { text: { type: 'string' as const }, language: { type: 'string' as const } },
      },
      outputSchema: wordCount.outputSchema,
      handler: wordCount.handler as TaskHandler,
    };
    const refusal = await worker([defineTaskType(changed)])
      .start()
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(refusal).toBeInstanceOf(TaskTypeConflictError);
    expect((refusal as Error).message).toMatch(/acme\/word-count.*version 1/);
    expect((refusal as Error).message).toMatch(/language/);
    await expect(
      worker([defineTaskType({ ...changed, version: 2 })]).start(),
    ).resolves.toBeUndefined();
  });

  it('aborts a slow step the moment its run is cancelled', async () => {
    let abortedAt: number | undefined;
    const watched = defineTaskType({
      ...slowEcho,
      name: 'acme/watched-echo',
      handler: async (inputs, context) => {
        context.signal.addEventListener('abort', () => (abortedAt = Date.now()), { once: true });
        return slowEcho.handler(inputs as never, context);
      },
    });
    await worker([watched]).start();
    const plan = {
      name: 'cancelled echo',
      dag: {
        nodes: { e: { task: 'acme/watched-echo', inputs: { text: 'x', seconds: 600 } } },
        edges: [],
      },
    };
    // Listed once the gateway's registry has caught up with the worker's registration.
    await waitFor('acme/watched-echo listed', async () =>
      (await client.taskTypes.list()).some((type) => type.name === 'acme/watched-echo')
        ? true
        : undefined,
    );
    const { runId } = await client.runs.start({ plan: plan });
    await engine.waitForRun(runId, (r) => r.nodes.e?.status === 'running');
    const cancelledAt = Date.now();
    await client.runs.cancel(runId);
    await waitFor('the handler aborted', async () => abortedAt);
    expect(abortedAt! - cancelledAt).toBeLessThan(5_000);
    expect((await engine.waitForRun(runId)).status).toBe('cancelled');
  });

  it('stores a large output as an artifact through the gateway, and serves its metrics', async () => {
    const render = defineTaskType<{ size: number }, { image: string }>({
      name: 'acme/render',
      description: 'Makes bytes too large for a step result',
      inputSchema: {
        type: 'object',
        required: ['size'],
        properties: { size: { type: 'integer' } },
      },
      outputSchema: {
        type: 'object',
        required: ['image'],
        properties: { image: { type: 'string' } },
      },
      async handler({ size }, { storeArtifact }) {
        const stored = await storeArtifact(new Uint8Array(size).fill(7), {
          contentType: 'image/png',
        });
        return { image: stored.url };
      },
    });
    const rendering = worker([render], {
      gatewayUrl: gateway.url,
      apiKey: gateway.apiKey,
      healthPort: 0,
    });
    await rendering.start();
    await waitFor('acme/render listed', async () =>
      (await client.taskTypes.list()).some((type) => type.name === 'acme/render')
        ? true
        : undefined,
    );
    const { runId } = await client.runs.start({
      plan: {
        name: 'render',
        dag: { nodes: { r: { task: 'acme/render', inputs: { size: 3_000_000 } } }, edges: [] },
      },
    });
    const done = await engine.waitForRun(runId);
    expect(done.status).toBe('completed');
    const { image } = done.nodes.r?.result as { image: string };
    const artifact = await client.artifacts.download(image);
    expect(artifact.bytes.length).toBe(3_000_000);
    expect(artifact.contentType).toBe('image/png');

    const base = `http://127.0.0.1:${rendering.healthPort}`;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/weft_step_attempts_total\{[^}]*task="acme\/render"[^}]*\} 1/);
  });
});
