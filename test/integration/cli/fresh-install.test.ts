import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';

// A user's first steps: clone, `npm ci`, then the README's `npx weft` commands, which must work
// before anything is built. It clones the repository's HEAD, so it tests what is committed.

const ROOT = join(__dirname, '..', '..', '..');
const run = promisify(execFile);

/** The commands README.md's "Command line" section gives, which need no running system. */
const README_COMMANDS = {
  version: 'npx weft --version',
  help: 'npx weft --help',
  runsHelp: 'npx weft runs --help',
  validate: 'npx weft workflows validate examples/topic-summary.json',
} as const;

/** The most the slow steps may take (the install, the first build): each about half a minute. */
const SLOW_STEP_MS = 4 * 60_000;

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A user's shell: Node's own folder first on PATH, none of the npm_* variables `npm test` or
 * `npx jest` set (they would steer the clone's npm), and no Weft settings or profiles.
 */
function userEnv(configDir: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^npm_/i.test(name) && !name.startsWith('WEFT_') && name !== 'INIT_CWD',
    ),
  );
  return {
    ...env,
    PATH: [dirname(process.execPath), process.env.PATH ?? ''].join(delimiter),
    WEFT_CONFIG: join(configDir, 'config.json'),
    // npx must run the command npm ci linked, never fetch a package called weft instead.
    npm_config_yes: 'false',
  };
}

describe('a fresh clone, right after npm ci', () => {
  let clone: string;
  let env: NodeJS.ProcessEnv;
  const seconds: Record<string, string> = {};

  async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      seconds[label] = ((performance.now() - started) / 1000).toFixed(1);
    }
  }

  /** Runs one of the README's command lines in the clone, as a shell would split it. */
  async function shell(command: string): Promise<Outcome> {
    const [program = '', ...args] = command.split(' ');
    try {
      const { stdout, stderr } = await run(program, args, {
        cwd: clone,
        env,
        timeout: SLOW_STEP_MS,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  beforeAll(async () => {
    clone = await mkdtemp(join(tmpdir(), 'weft-fresh-'));
    env = userEnv(clone);
    await timed('git clone', () => run('git', ['clone', '--quiet', ROOT, clone], { env }));
    // From the npm cache when it holds the packages, as on a developer's machine or a CI runner
    // with a cached ~/.npm; from the registry otherwise.
    await timed('npm ci', () =>
      run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], {
        cwd: clone,
        env,
        timeout: SLOW_STEP_MS,
      }),
    );
  }, SLOW_STEP_MS);

  afterAll(async () => {
    process.stderr.write(
      `[fresh install] ${Object.entries(seconds)
        .map(([label, value]) => `${label} ${value} s`)
        .join(', ')}\n`,
    );
    if (clone !== undefined) await rm(clone, { recursive: true, force: true });
  });

  it('README.md gives the commands this test runs', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    for (const command of Object.values(README_COMMANDS)) expect(readme).toContain(command);
  });

  it(
    'npx weft --version builds Weft once, then prints the CLI package’s version alone',
    async () => {
      const outcome = await timed('first npx weft (builds)', () => shell(README_COMMANDS.version));
      const manifest = JSON.parse(
        await readFile(join(clone, 'packages', 'cli', 'package.json'), 'utf8'),
      ) as { version: string };
      expect(outcome).toMatchObject({ code: 0, stdout: `${manifest.version}\n` });
      expect(outcome.stderr).toContain('weft: building Weft once');
      const again = await timed('npx weft --version', () => shell(README_COMMANDS.version));
      expect(again).toEqual({ code: 0, stdout: `${manifest.version}\n`, stderr: '' });
    },
    SLOW_STEP_MS,
  );

  it('npx weft --help lists every group and how to get their help', async () => {
    const outcome = await shell(README_COMMANDS.help);
    expect(outcome.code).toBe(0);
    for (const line of [
      'weft runs watch <runId>',
      'weft runs resume <runId>',
      'weft profiles set <name>',
      'weft workflows validate <file>',
      '`weft <group> --help`',
      'WEFT_PROFILE',
    ]) {
      expect(outcome.stdout).toContain(line);
    }
  });

  it("npx weft runs --help lists the group's commands and nothing else", async () => {
    const outcome = await shell(README_COMMANDS.runsHelp);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout.match(/^ {2}weft \S+ \S+/gm)).toEqual(
      ['list', 'show', 'watch', 'cancel', 'resume'].map((name) => `  weft runs ${name}`),
    );
  });

  it('npx weft workflows validate checks the example here, with no server', async () => {
    const outcome = await shell(README_COMMANDS.validate);
    expect(outcome).toMatchObject({
      code: 0,
      stdout: 'examples/topic-summary.json: valid, 0 errors, 0 type issues, 0 warnings\n',
    });
  });
});
