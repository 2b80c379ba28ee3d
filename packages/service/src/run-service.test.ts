import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = join(__dirname, '..', '..', '..');
const FIXTURE = join(__dirname, 'testing', 'fixture-service.ts');

interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

/** The fixture service as its own process, its JSON log lines collected as they come. */
class FixtureProcess {
  readonly lines: LogLine[] = [];
  /** Everything on stderr that is not a JSON line. */
  readonly text: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private readonly waiters: (() => void)[] = [];

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        // Sources, not builds, as the tests run: @weft/* resolves through the check config's paths.
        TSX_TSCONFIG_PATH: join(ROOT, 'tsconfig.check.json'),
        KAFKA_BROKERS: '127.0.0.1:9',
        MONGODB_URI: 'mongodb://127.0.0.1:9/fixture',
        HEALTH_PORT: '0',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.exited = once(this.child, 'exit').then(([code, signal]) => ({
      code: code as number | null,
      signal: signal as NodeJS.Signals | null,
    }));
    createInterface({ input: this.child.stderr! }).on('line', (line) => {
      try {
        this.lines.push(JSON.parse(line) as LogLine);
      } catch {
        this.text.push(line);
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Resolves with the first log line `msg` (and, when given, matching `fields`). */
  async line(msg: string, fields: Record<string, unknown> = {}): Promise<LogLine> {
    const matches = (line: LogLine) =>
      line.msg === msg && Object.entries(fields).every(([key, value]) => line[key] === value);
    for (;;) {
      const found = this.lines.find(matches);
      if (found) return found;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  messages(): string[] {
    return this.lines.map((line) =>
      typeof line.part === 'string' ? `${line.msg} ${line.part}` : line.msg,
    );
  }

  signal(name: NodeJS.Signals): void {
    this.child.kill(name);
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

describe('runService', () => {
  const running: FixtureProcess[] = [];
  const start = (env: Record<string, string>) => {
    const fixture = new FixtureProcess(env);
    running.push(fixture);
    return fixture;
  };
  afterEach(() => {
    for (const fixture of running.splice(0)) fixture.kill();
  });

  it('stops its parts on SIGTERM, the last started first, and exits 0', async () => {
    const fixture = start({ FIXTURE_PARTS: 'database,producer,consumer' });
    const { port } = await fixture.line('health endpoints');
    await fixture.line('fixture started');
    const ready = await fetch(`http://127.0.0.1:${String(port)}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { database: 'ok', producer: 'ok', consumer: 'ok' },
    });

    fixture.signal('SIGTERM');
    expect(await fixture.exited).toEqual({ code: 0, signal: null });
    expect(fixture.messages().slice(fixture.messages().indexOf('stopping'))).toEqual([
      'stopping',
      'part stopped consumer',
      'part stopped producer',
      'part stopped database',
      'stopped',
    ]);
    expect(fixture.lines.find((line) => line.msg === 'stopping')?.signal).toBe('SIGTERM');
  });

  it('exits 1 at once on a second signal while it stops', async () => {
    const fixture = start({ FIXTURE_PARTS: 'database,consumer', FIXTURE_HANG: 'consumer' });
    await fixture.line('fixture started');
    fixture.signal('SIGINT');
    await fixture.line('stopping', { signal: 'SIGINT' });
    fixture.signal('SIGTERM');
    expect(await fixture.exited).toEqual({ code: 1, signal: null });
    expect(fixture.messages()).toContain('second signal: exiting at once');
    expect(fixture.messages()).not.toContain('part stopped database');
  });

  it('exits 1 when stopping outlasts its deadline', async () => {
    const fixture = start({
      FIXTURE_PARTS: 'database,consumer',
      FIXTURE_HANG: 'consumer',
      FIXTURE_DEADLINE_MS: '300',
    });
    await fixture.line('fixture started');
    const signalled = Date.now();
    fixture.signal('SIGTERM');
    expect(await fixture.exited).toEqual({ code: 1, signal: null });
    expect(Date.now() - signalled).toBeGreaterThanOrEqual(300);
    const passed = await fixture.line('stop deadline passed: exiting');
    expect(passed).toMatchObject({ level: 'error', deadlineMs: 300 });
  });

  it('stops what had started when a later part fails to start, and exits 1', async () => {
    const fixture = start({
      FIXTURE_PARTS: 'database,producer,consumer',
      FIXTURE_FAIL: 'consumer',
    });
    expect(await fixture.exited).toEqual({ code: 1, signal: null });
    const failed = fixture.lines.find((line) => line.msg === 'failed to start');
    expect(failed).toMatchObject({
      level: 'error',
      error: { message: 'consumer would not start' },
    });
    expect(fixture.messages().slice(fixture.messages().indexOf('failed to start'))).toEqual([
      'failed to start',
      'part stopped producer',
      'part stopped database',
    ]);
  });

  it('refuses a bad configuration with one line naming it, and exits 2', async () => {
    const fixture = start({ MONGODB_URI: '' });
    expect(await fixture.exited).toEqual({ code: 2, signal: null });
    expect(fixture.text).toEqual(['fixture: MONGODB_URI is required']);
    expect(fixture.lines).toEqual([]);
  });

  it('serves /metrics only with METRICS_TOKEN when one is set', async () => {
    const fixture = start({ FIXTURE_PARTS: 'database', METRICS_TOKEN: 'scrape-s3cret' });
    const { port } = await fixture.line('health endpoints');
    const metrics = `http://127.0.0.1:${String(port)}/metrics`;
    expect((await fetch(metrics)).status).toBe(401);
    const allowed = await fetch(metrics, { headers: { authorization: 'Bearer scrape-s3cret' } });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain('service="fixture"');
  });
});
