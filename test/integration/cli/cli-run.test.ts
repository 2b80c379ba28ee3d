import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WeftClient, type RunEvent } from '@weft/client';
import { startBanner } from '@weft/infra';
import { registerTaskTypes } from '@weft/task-registry';
import { TestEngine } from '../../support/engine';
import { waitFor } from '../../support/test-infrastructure';
import { createStepHandlers, stepServices } from '../steps/step-services';

const ROOT = join(__dirname, '..', '..', '..');
// What `npx weft` runs: the command `npm ci` linked (a committed file, so it exists on a fresh clone).
const CLI = join(ROOT, 'node_modules', '.bin', 'weft');
const run = promisify(execFile);
/** The example definition README.md names. */
const EXAMPLE = join(ROOT, 'examples', 'topic-summary.json');

/** The gateway's admin token in these tests. */
const ADMIN_TOKEN = 'cli-admin-'.padEnd(40, '0');

/** The five nodes of the built-in image-generate-v1 pipeline. */
const IMAGE_NODES = ['generate', 'enrich', 'moderate', 'store', 'notify'];

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

describe('the weft CLI, built, over the API of a real engine', () => {
  const engine = new TestEngine();
  let gateway: Awaited<ReturnType<TestEngine['startGateway']>>;
  let dir: string;

  /** Runs the built CLI as a user would, with WEFT_URL and WEFT_API_KEY for this engine. */
  function weft(...args: string[]): Promise<Outcome> {
    return weftWith({}, ...args);
  }

  /** The same, with more (or other) environment. */
  async function weftWith(env: NodeJS.ProcessEnv, ...args: string[]): Promise<Outcome> {
    try {
      const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
        env: { ...cliEnv(), ...env },
        timeout: 90_000,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  /** The environment of the CLI: this engine, and a config file of this test's own. */
  function cliEnv(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      WEFT_URL: gateway.url,
      WEFT_API_KEY: gateway.apiKey,
      WEFT_CONFIG: join(dir, 'config.json'),
      WEFT_PROFILE: '',
    };
  }

  /** The run id `weft run --wait` announces on stderr. */
  function runIdOf(outcome: Outcome): string {
    const runId = /^Run (run_[0-9a-z]+) /m.exec(outcome.stderr)?.[1];
    if (runId === undefined) throw new Error(`no run id in: ${outcome.stderr}`);
    return runId;
  }

  beforeAll(async () => {
    // What users run: the compiled CLI (tsc -b is a no-op when it is up to date).
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', 'packages/cli'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    dir = await mkdtemp(join(tmpdir(), 'weft-cli-run-'));
    await engine.open();
    gateway = await engine.startGateway({ adminToken: ADMIN_TOKEN, taskRegistry: true });
    // No provider keys: every step on the local provider, artifact URLs on the gateway.
    const services = await stepServices(engine.connection, {}, { publicUrl: gateway.url });
    await engine.startOrchestrator();
    await engine.startWorker({ handlers: createStepHandlers(services) });
  });

  afterAll(async () => {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs image-generate-v1 to its end: progress for each node, then the outputs', async () => {
    const outcome = await weft('run', 'image-generate-v1', '--input', 'prompt=a sunset', '--wait');

    expect(outcome).toMatchObject({ code: 0 });
    for (const node of IMAGE_NODES) {
      expect(outcome.stderr).toMatch(
        new RegExp(`^ *\\+[0-9.]+s  ${node} +completed +attempt 1`, 'm'),
      );
    }
    expect(outcome.stderr).toMatch(/run run_[0-9a-z]+ completed\n$/);
    const outputs = JSON.parse(outcome.stdout) as {
      generate: { images: { url: string; content_type: string }[] };
      store: { id: string };
    };
    const image = outputs.generate.images[0];
    expect(image?.content_type).toBe('image/png');
    expect(image?.url.startsWith(`${gateway.url}/v1/artifacts/art_`)).toBe(true);
    expect(outputs.store.id).toMatch(/^res_/);

    const runId = runIdOf(outcome);
    const shown = await weft('runs', 'show', runId);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`Run ${runId}: completed\n  workflow  image-generate-v1 v1`);
    for (const node of IMAGE_NODES)
      expect(shown.stdout).toMatch(new RegExp(`${node} +completed +1`));
    expect(shown.stdout).toContain(image?.url);
    const json = JSON.parse((await weft('runs', 'show', runId, '--json')).stdout) as {
      runId: string;
      status: string;
    };
    expect(json).toMatchObject({ runId, status: 'completed' });
  });

  it('exits 1 for a run that fails, naming the failing node and its error', async () => {
    const file = join(dir, 'failing.json');
    await writeFile(
      file,
      JSON.stringify({
        name: 'Always fails',
        dag: {
          nodes: {
            boom: {
              task: 'core/fail',
              inputs: { code: 'kaboom', message: 'it broke', retryable: false },
            },
          },
          edges: [],
        },
      }),
    );
    const pushed = await weft('workflows', 'push', file, '--slug', 'failing-flow');
    expect(pushed).toMatchObject({ code: 0 });
    expect(pushed.stdout).toMatch(/^Saved failing-flow version 1 \(wf_[0-9a-z]+\)/);

    const outcome = await weft('run', 'failing-flow', '--wait');

    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr).toMatch(/boom +failed +attempt 1 .*kaboom: it broke/);
    expect(outcome.stderr).toContain('  node:      boom (attempt 1)\n');
    expect(outcome.stderr).toContain('  error:     kaboom: it broke\n');

    // By id too: `wf_…` runs by workflowId, and shows through /api.
    const workflowId = /\((wf_[0-9a-z]+)\)/.exec(pushed.stdout)?.[1] ?? '';
    const shown = await weft('workflows', 'show', workflowId);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('failing-flow version 1: Always fails\n');
    const byId = await weft('run', workflowId, '--wait');
    expect(byId.code).toBe(1);
    expect(byId.stderr).toContain('  error:     kaboom: it broke\n');

    const listed = JSON.parse(
      (await weft('runs', 'list', '--slug', 'failing-flow', '--json')).stdout,
    ) as { runs: { runId: string; status: string }[] };
    expect(listed.runs).toEqual([
      expect.objectContaining({ runId: runIdOf(byId), status: 'failed' }),
      expect.objectContaining({ runId: runIdOf(outcome), status: 'failed' }),
    ]);
  });

  it('exits 3 when a run outlives --timeout; the run goes on and can be cancelled', async () => {
    const file = join(dir, 'slow.json');
    await writeFile(
      file,
      JSON.stringify({
        name: 'Slow',
        dag: { nodes: { wait: { task: 'core/delay', inputs: { ms: 20_000 } } }, edges: [] },
      }),
    );
    expect((await weft('workflows', 'push', file)).code).toBe(0);

    const outcome = await weft('run', 'slow', '--wait', '--timeout', '1');

    expect(outcome.code).toBe(3);
    const runId = runIdOf(outcome);
    expect(outcome.stderr).toContain(`weft runs watch ${runId}`);
    expect(await weft('runs', 'cancel', runId)).toMatchObject({
      code: 0,
      stdout: `Cancelled run ${runId}.\n`,
    });
  });

  it("runs npm start's banner command as printed, through npx", async () => {
    const banner = startBanner({
      gatewayUrl: gateway.url,
      demoAppId: gateway.appId,
      demoApiKey: gateway.apiKey,
      serviceMetrics: [],
    });
    const line = /^ {2}(npx weft run .*)$/m.exec(banner)?.[1] ?? '';
    expect(line).toContain('--wait');
    // A shell, as a user pastes it; no WEFT_URL or key: the line carries them. npx must find
    // the linked command, never fetch a package from the registry.
    const { WEFT_URL: _url, WEFT_API_KEY: _key, ...env } = cliEnv();
    const { stdout, stderr } = await run('sh', ['-c', line], {
      cwd: ROOT,
      env: { ...env, npm_config_yes: 'false' },
      timeout: 90_000,
    });
    for (const node of IMAGE_NODES) expect(stderr).toMatch(new RegExp(`${node} +completed`));
    const outputs = JSON.parse(stdout) as { store: { id: string } };
    expect(outputs.store.id).toMatch(/^res_/);
  });

  it('watches a run it did not start to its end, and resumes a failed one', async () => {
    const pushed = await weft('workflows', 'push', EXAMPLE);
    expect(pushed.stdout).toMatch(/^Saved topic-summary version 1 /);
    const started = await weft('run', 'topic-summary', '--input', 'topic=tides');
    const runId = started.stdout.split('\n')[0] ?? '';
    expect(runId).toMatch(/^run_/);

    const watched = await weft('runs', 'watch', runId);
    expect(watched.code).toBe(0);
    expect(watched.stderr).toMatch(/analyse +completed +attempt 1/);
    const outputs = JSON.parse(watched.stdout) as { analyse: { keywords: string[] } };
    expect(outputs.analyse.keywords.length).toBeGreaterThan(0);
    const view = JSON.parse((await weft('runs', 'watch', runId, '--json')).stdout) as {
      runId: string;
      status: string;
    };
    expect(view).toMatchObject({ runId, status: 'completed' });
    const notResumable = await weft('runs', 'resume', runId);
    expect(notResumable.code).toBe(1);
    expect(notResumable.stderr).toContain('run_not_resumable');

    // A node that fails on every attempt: resumed, the run fails again.
    const failing = join(dir, 'fails-always.json');
    const boom = {
      task: 'core/fail',
      inputs: { code: 'kaboom', message: 'it broke', retryable: false },
    };
    await writeFile(
      failing,
      JSON.stringify({ name: 'Fails', dag: { nodes: { boom }, edges: [] } }),
    );
    expect((await weft('workflows', 'push', failing)).code).toBe(0);
    const failed = runIdOf(await weft('run', 'fails-always', '--wait'));
    const resumed = await weft('runs', 'resume', failed);
    expect(resumed).toMatchObject({ code: 0, stdout: `Resumed run ${failed}: it is running.\n` });
    const again = await weft('runs', 'watch', failed, '--timeout', '60');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('  error:     kaboom: it broke\n');
  });

  it('works from a profile, with neither WEFT_URL nor WEFT_API_KEY set', async () => {
    const unset = { WEFT_URL: '', WEFT_API_KEY: '' };
    const saved = await weftWith(
      unset,
      ...['profiles', 'set', 'ci', '--url', gateway.url, '--api-key', gateway.apiKey],
    );
    expect(saved.code).toBe(0);
    const listed = await weftWith({ ...unset, WEFT_PROFILE: 'ci' }, 'profiles', 'list');
    expect(listed.stdout).not.toContain(gateway.apiKey);
    expect(listed.stdout).toContain(`weft_${gateway.apiKey.slice(5, 13)}_…`);
    const viaFlag = await weftWith(unset, 'workflows', 'list', '--profile', 'ci');
    expect(viaFlag.code).toBe(0);
    expect(viaFlag.stdout).toMatch(/^image-generate-v1 +1 +/m);
    const viaEnv = await weftWith({ ...unset, WEFT_PROFILE: 'ci' }, 'workflows', 'list');
    expect(viaEnv.stdout).toBe(viaFlag.stdout);
    const missing = await weftWith(unset, 'workflows', 'list', '--profile', 'prod');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('there is no profile "prod"');
  });

  it('validates a bad definition locally: node and field of each error, exit 1', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(
      file,
      JSON.stringify({
        name: 'Broken',
        steps: [
          { id: 'draw', type: 'image_generate', input: { prompt: '${nodes.ghost.result.text}' } },
          { id: 'odd', type: 'no_such_step', input: {} },
        ],
      }),
    );

    const outcome = await weft('workflows', 'validate', file);

    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toMatch(/^error +node "draw", field "prompt": .*ghost/m);
    expect(outcome.stdout).toMatch(/^error +node "odd", field "type": .*no_such_step/m);
    expect(outcome.stdout).toContain(`${file}: invalid, 2 errors`);
  });

  it('the client it uses follows live events, replays idempotent starts and reads /api', async () => {
    const client = new WeftClient({ url: gateway.url, apiKey: gateway.apiKey });
    const request = {
      workflowSlug: 'image-generate-v1',
      input: { prompt: 'a lighthouse', size: '256x192' },
      idempotencyKey: `cli-run-${engine.namespace}`,
    };
    const started = await client.runs.start(request);
    expect((await client.runs.start(request)).runId).toBe(started.runId);

    const events: RunEvent[] = [];
    const final = await client.waitForRun(started.runId, {
      onEvent: (event) => events.push(event),
    });

    expect(final).toMatchObject({ status: 'completed', error: null });
    expect(events[0]?.type).toBe('snapshot');
    expect(events.at(-1)?.type).toBe('end');
    // Every event carries the server's id: they came from the live stream, not from polling.
    expect(events.every((event) => event.id !== undefined)).toBe(true);
    const url = (final.outputs?.generate as { images: { url: string }[] }).images[0]?.url ?? '';
    const artifact = await client.artifacts.download(url);
    expect(artifact.contentType).toBe('image/png');
    expect(Buffer.from(artifact.bytes).subarray(1, 4).toString()).toBe('PNG');
    const execution = await client.api.getExecution(started.runId);
    expect(execution).toMatchObject({ id: started.runId, status: 'completed' });
  });

  it('manages the app’s keys over the API with the current key', async () => {
    const listed = JSON.parse((await weft('keys', 'list', '--json')).stdout) as {
      keys: { prefix: string }[];
    };
    expect(listed.keys.map((key) => key.prefix)).toEqual([gateway.apiKey.slice(5, 13)]);
  });

  it('lists the task types with their schemas, as the API serves them, registered ones too', async () => {
    await registerTaskTypes(
      engine.kafka,
      [
        {
          name: 'acme/resize',
          version: 3,
          description: 'Resizes an image.',
          inputSchema: { type: 'object' },
          outputSchema: { type: 'object' },
        },
      ],
      { stepPartitions: 1 },
    );
    const table = await waitFor('the registered type to be listed', async () => {
      const listed = await weft('task-types', 'list');
      return listed.stdout.includes('acme/resize') ? listed : undefined;
    });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NAME +CATEGORY +VERSION +BUILT-IN +MODEL +DESCRIPTION/);
    expect(table.stdout).toMatch(/^http_request +integration +yes +/m);
    expect(table.stdout).toMatch(/^openai\/chat-completion +text +yes +required +/m);
    expect(table.stdout).toMatch(/^acme\/resize +custom +3 +no +Resizes an image\.$/m);
    const listed = JSON.parse((await weft('task-types', 'list', '--json')).stdout) as {
      taskTypes: { name: string; builtIn: boolean; inputSchema: { required?: string[] } }[];
    };
    const http = listed.taskTypes.find((taskType) => taskType.name === 'http_request');
    expect(http).toMatchObject({ builtIn: true, inputSchema: { required: ['url'] } });
    const client = new WeftClient({ url: gateway.url, apiKey: gateway.apiKey });
    expect((await client.taskTypes.list()).map((taskType) => taskType.name)).toEqual(
      listed.taskTypes.map((taskType) => taskType.name),
    );
  });

  it('acts as an operator over the admin API, with no database in reach', async () => {
    // An unreachable database: everything must go through the gateway.
    const operator = { WEFT_ADMIN_TOKEN: ADMIN_TOKEN, MONGODB_URI: 'mongodb://127.0.0.1:1/none' };
    const created = await weftWith(operator, 'apps', 'create', 'Operated', '--json');
    expect(created.code).toBe(0);
    const app = JSON.parse(created.stdout) as { appId: string; apiKey: string };
    const asApp = await weftWith({ WEFT_API_KEY: app.apiKey }, 'keys', 'list', '--json');
    expect((JSON.parse(asApp.stdout) as { keys: unknown[] }).keys).toHaveLength(1);

    const apps = JSON.parse((await weftWith(operator, 'apps', 'list', '--json')).stdout) as {
      apps: { id: string; name: string }[];
    };
    expect(apps.apps).toContainEqual(expect.objectContaining({ id: app.appId, name: 'Operated' }));

    const key = JSON.parse(
      (await weftWith(operator, 'keys', 'create', '--app', app.appId, '--json')).stdout,
    ) as { keyId: string; apiKey: string };
    const listed = JSON.parse(
      (await weftWith(operator, 'keys', 'list', '--app', app.appId, '--json')).stdout,
    ) as { appId: string; keys: { id: string; appId: string; revokedAt: string | null }[] };
    expect(listed.keys.map((k) => k.id)).toContain(key.keyId);
    expect(listed.keys.every((k) => k.appId === app.appId && k.revokedAt === null)).toBe(true);
    const revoked = await weftWith(operator, 'keys', 'revoke', key.keyId, '--app', app.appId);
    expect(revoked.stdout).toContain(`Revoked key ${key.keyId}`);
    const refused = await weftWith({ WEFT_API_KEY: key.apiKey }, 'keys', 'list');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('invalid_api_key');

    const wrong = await weftWith({ ...operator, WEFT_ADMIN_TOKEN: 'x'.repeat(40) }, 'apps', 'list');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('invalid_admin_token');
    const missing = await weftWith(operator, 'keys', 'list', '--app', `app_${'0'.repeat(22)}`);
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining('there is no app')]);

    // A registered task type is removed through the admin API: the CLI reaches no broker.
    const removed = await weftWith(operator, 'task-types', 'remove', 'acme/resize');
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain('Removed task type acme/resize (version 3');
    expect((await weft('task-types', 'list')).stdout).not.toContain('acme/resize');
    const again = await weftWith(operator, 'task-types', 'remove', 'acme/resize');
    expect([again.code, again.stderr]).toEqual([1, expect.stringContaining('task_type_not_found')]);
  });
});
