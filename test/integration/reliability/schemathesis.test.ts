import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestEngine } from '../../support/engine';

/**
 * schemathesis (a property-based tester of OpenAPI documents, from PyPI) against a gateway with an
 * orchestrator and a worker: it reads /openapi.json, generates valid and invalid requests for every
 * operation, follows the links it infers between them (create, then read, change, delete…) and
 * checks that no answer is a 5xx and that every answer fits the document. The gateway's own
 * contract recorder checks every JSON answer too, when the engine closes.
 */

const SCRIPT = join(__dirname, '..', '..', '..', 'scripts', 'schemathesis.sh');

/** Test cases per operation and pass, and the whole run's time budget (it spends all of it). */
const MAX_EXAMPLES = 25;
const MAX_TIME_SECONDS = 45;

/**
 * The checks: no 5xx, and every answer fits its documented schema. The run-events stream is
 * `text/event-stream` with `schema: {type: string}` (the stream as text); schemathesis reads a 3.1
 * document's SSE `schema` as the schema of each parsed event object (as 3.2's `itemSchema`), so
 * it would fail every event: the schema check is off there only. (In the config file, because
 * checks named on the command line win over an operation's.)
 */
const CONFIG = `
[checks]
enabled = false
not_a_server_error.enabled = true
response_schema_conformance.enabled = true

[[operations]]
include-operation-id = "streamRunEvents"
checks.response_schema_conformance.enabled = false
`;

interface Finished {
  code: number | null;
  output: string;
}

/**
 * Runs the script without blocking this process (the gateway under test answers from it), in
 * `cwd`: schemathesis keeps its caches (.hypothesis, .schemathesis) in the working directory.
 */
function runScript(args: string[], timeoutMs: number, cwd = tmpdir()): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [SCRIPT, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', COLUMNS: '160' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

interface Tally {
  /** Answers by HTTP status. */
  statuses: Map<number, number>;
  /** Checks that ran, by name. */
  checks: Map<string, number>;
}

/** Answers by status and checks by name, from schemathesis' NDJSON event report. */
function tallyOf(ndjson: string): Tally {
  const tally: Tally = { statuses: new Map(), checks: new Map() };
  const add = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1);
  for (const line of ndjson.split('\n')) {
    if (!line.includes('"ScenarioFinished"')) continue;
    const { recorder } =
      (
        JSON.parse(line) as {
          ScenarioFinished?: {
            recorder?: {
              interactions?: Record<string, { response?: { status_code: number } }>;
              checks?: Record<string, { name: string }[]>;
            };
          };
        }
      ).ScenarioFinished ?? {};
    for (const { response } of Object.values(recorder?.interactions ?? {})) {
      if (response) add(tally.statuses, response.status_code);
    }
    for (const checks of Object.values(recorder?.checks ?? {})) {
      for (const { name } of checks) add(tally.checks, name);
    }
  }
  return tally;
}

describe('schemathesis against the OpenAPI document', () => {
  const engine = new TestEngine();
  let gateway: Awaited<ReturnType<TestEngine['startGateway']>>;
  let reports: string;

  beforeAll(async () => {
    await engine.open();
    // Runs it starts proceed, so the operations that follow them see real states.
    await Promise.all([engine.startOrchestrator(), engine.startWorker()]);
    // No rate limit: thousands of requests a minute would otherwise be answered 429.
    gateway = await engine.startGateway({ rateLimitPerMinute: 0 });
    reports = await mkdtemp(join(tmpdir(), 'weft-schemathesis-'));
  });

  afterAll(async () => {
    await engine.close();
    await rm(reports, { recursive: true, force: true });
  });

  it('installs schemathesis (pinned, in a cached venv)', async () => {
    const installed = await runScript(['--install-only'], 170_000);
    if (installed.code !== 0) {
      throw new Error(
        `scripts/schemathesis.sh could not install schemathesis (it needs python3 with venv, and ` +
          `PyPI the first time): exit ${installed.code}\n${installed.output}`,
      );
    }
  }, 180_000);

  it('finds no server error and no answer outside the document', async () => {
    const config = join(reports, 'schemathesis.toml');
    const ndjson = join(reports, 'events.ndjson');
    await writeFile(config, CONFIG);
    const started = Date.now();
    const run = await runScript(
      [
        '--config-file',
        config,
        'run',
        `${gateway.url}/openapi.json`,
        '--header',
        `X-API-Key: ${gateway.apiKey}`,
        '--max-examples',
        String(MAX_EXAMPLES),
        '--max-time',
        String(MAX_TIME_SECONDS),
        '--request-timeout',
        '10',
        '--seed',
        '1',
        '--report',
        'ndjson',
        '--report-ndjson-path',
        ndjson,
        '--warnings',
        'off',
        // Revoking the keys it finds (GET /v1/keys lists this one) would revoke its own key, and
        // every later answer would be a 401. api-fuzz.test.ts fuzzes it, with a spare key.
        '--exclude-operation-id',
        'revokeKey',
      ],
      (MAX_TIME_SECONDS + 30) * 1000,
      reports,
    );
    if (run.code !== 0) {
      throw new Error(`schemathesis exited ${run.code ?? 'on a signal'}:\n${run.output}`);
    }
    const cases = /Test cases:\s*\n?\s*(\d+) generated/.exec(run.output)?.[1];
    const { statuses, checks } = tallyOf(await readFile(ndjson, 'utf8'));
    const answers = [...statuses.values()].reduce((sum, n) => sum + n, 0);
    const serverErrors = [...statuses]
      .filter(([status]) => status >= 500)
      .reduce((sum, [, n]) => sum + n, 0);
    const byStatus = [...statuses]
      .sort(([a], [b]) => a - b)
      .map(([status, n]) => `${status}×${n}`)
      .join(' ');
    console.log(
      `schemathesis: ${cases ?? '?'} cases, ${answers} answers, ${serverErrors} 5xx in ` +
        `${Math.round((Date.now() - started) / 1000)} s (${byStatus}; checks ${JSON.stringify(Object.fromEntries(checks))})`,
    );
    expect(cases).toBeDefined();
    expect(Object.fromEntries(checks)).toEqual({
      not_a_server_error: expect.any(Number) as unknown,
      response_schema_conformance: expect.any(Number) as unknown,
    });
    expect(serverErrors).toBe(0);
    // The key worked throughout: every request got past authentication.
    expect(statuses.get(401) ?? 0).toBe(0);
  }, 120_000);
});
