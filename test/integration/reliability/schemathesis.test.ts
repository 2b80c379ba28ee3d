import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestEngine } from '../../support/engine';

const SCRIPT = join(__dirname, '..', '..', '..', 'scripts', 'schemathesis.sh');

/** Test cases per operation, and the whole run's time budget: the file stays well under 90 s. */
const MAX_EXAMPLES = 25;
const MAX_TIME_SECONDS = 60;

interface Finished {
  code: number | null;
  output: string;
}

/** Runs the script without blocking this process: the gateway under test answers from it. */
function runScript(args: string[], timeoutMs: number): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [SCRIPT, ...args], {
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

describe('schemathesis against the OpenAPI document', () => {
  const engine = new TestEngine();
  let gateway: Awaited<ReturnType<TestEngine['startGateway']>>;
  let reports: string;

  beforeAll(async () => {
    await engine.open();
    // Runs it starts proceed, so their follow-up operations see real states.
    await Promise.all([engine.startOrchestrator(), engine.startWorker()]);
    gateway = await engine.startGateway({ rateLimitPerMinute: 0 });
    reports = await mkdtemp(join(tmpdir(), 'weft-schemathesis-'));
  });

  afterAll(async () => {
    await engine.close();
    console.log(reports);
  });

  it('installs schemathesis (pinned, cached venv)', async () => {
    const installed = await runScript(['--install-only'], 170_000);
    if (installed.code !== 0) {
      throw new Error(
        `scripts/schemathesis.sh could not install schemathesis (it needs python3 with venv and ` +
          `PyPI): exit ${installed.code}\n${installed.output}`,
      );
    }
  }, 180_000);

  it('finds no server error and no answer outside the document', async () => {
    const junit = join(reports, 'junit.xml');
    const run = await runScript(
      [
        'run',
        `${gateway.url}/openapi.json`,
        '--header',
        `X-API-Key: ${gateway.apiKey}`,
        '--checks',
        'not_a_server_error,response_schema_conformance',
        '--max-examples',
        String(MAX_EXAMPLES),
        '--max-time',
        String(MAX_TIME_SECONDS),
        '--request-timeout',
        '10',
        '--seed',
        '1',
        '--report',
        'junit,ndjson',
        '--report-ndjson-path',
        join(reports, 'events.ndjson'),
        '--report-junit-path',
        junit,
        '--warnings',
        'off',
      ],
      (MAX_TIME_SECONDS + 25) * 1000,
    );
    const summary = /Test cases:[^\n]*/.exec(run.output)?.[0] ?? 'no summary line';
    console.log(`schemathesis: ${summary}`);
    const report = await readFile(junit, 'utf8').catch(() => '');
    if (run.code !== 0) {
      throw new Error(`schemathesis exited ${run.code}:\n${run.output}\n${report.slice(0, 5000)}`);
    }
  }, 120_000);
});
