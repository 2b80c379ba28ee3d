import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_STATUSES } from '@weft/contract';
import type { CliContext, Command } from './command';
import { CommandError } from './command';
import { COMMANDS } from './commands';
import { redactUri } from './database';
import { helpText } from './help-text';
import { runCli } from './run-cli';

function capture(): CliContext & { out: string; err: string } {
  const context = {
    env: {},
    out: '',
    err: '',
    stdout: (text: string) => {
      context.out += text;
    },
    stderr: (text: string) => {
      context.err += text;
    },
  };
  return context;
}

const calls: unknown[] = [];
const commands: Command[] = [
  {
    path: ['things', 'make'],
    usage: '<name> --size <n> [--json]',
    summary: 'Make a thing',
    options: {
      size: { type: 'string', placeholder: '<n>', description: 'how big it is' },
      colour: { type: 'string', description: 'its colour', values: ['red', 'blue'] },
    },
    requiredOptions: ['size'],
    positionals: { min: 1, max: 1 },
    async run(args, context) {
      calls.push(args);
      if (args.positionals[0] === 'bad') throw new CommandError('no such thing');
      if (args.positionals[0] === 'boom') throw new Error('exploded');
      context.stdout('made\n');
    },
  },
];

describe('runCli', () => {
  beforeEach(() => {
    calls.length = 0;
  });

  it('runs a command with its arguments and exits 0', async () => {
    const context = capture();
    expect(await runCli(['things', 'make', 'x', '--size', '3', '--json'], context, commands)).toBe(
      0,
    );
    expect(context.out).toBe('made\n');
    expect(calls).toEqual([{ positionals: ['x'], values: { size: '3', json: true } }]);
  });

  it.each([
    [[], /Usage:/],
    [['nothing'], /^weft: unknown command "nothing": the commands are things \(see weft --help\)/],
    [['things'], /^Usage: weft things <command>/],
    [['things', 'break'], /unknown command "things break": weft things has make \(see weft things/],
    [
      ['things', 'make', 'x', '--size', '3', '--colour', 'green'],
      /--colour must be one of red, blue/,
    ],
    [['things', 'make', 'x'], /--size is required/],
    [['things', 'make', '--size', '3'], /missing argument/],
    [['things', 'make', 'x', 'y', '--size', '3'], /unexpected argument "y"/],
    [['things', 'make', 'x', '--size', '3', '--shape', 'o'], /Unknown option '--shape'/],
  ])('exits 2 for %p', async (argv, message) => {
    const context = capture();
    expect(await runCli(argv, context, commands)).toBe(2);
    expect(context.err).toMatch(message);
    expect(calls).toEqual([]);
  });

  it('exits 1 when the command fails, with a clear message', async () => {
    const context = capture();
    expect(await runCli(['things', 'make', 'bad', '--size', '1'], context, commands)).toBe(1);
    expect(context.err).toBe('weft: no such thing\n');
    expect(await runCli(['things', 'make', 'boom', '--size', '1'], context, commands)).toBe(1);
    expect(context.err).toContain('weft: things make failed: exploded');
  });

  it('prints help on request and exits 0', async () => {
    const context = capture();
    expect(await runCli(['--help'], context)).toBe(0);
    expect(context.out).toBe(helpText(COMMANDS));
    expect(context.out).toContain('weft apps create <name> [--json]');
    expect(context.out).toContain('weft keys revoke <keyId> [--app <appId>] [--json]');
    expect(context.out).toContain('weft run <slug|id>');
    expect(context.out).toContain('3 the run did not end within --timeout');
    const one = capture();
    expect(await runCli(['things', 'make', '-h'], one, commands)).toBe(0);
    expect(one.out).toContain('Usage: weft things make <name> --size <n> [--json]');
    expect(one.out).toMatch(/^ {2}--size <n> +how big it is$/m);
    expect(one.out).toMatch(/^ {2}--colour <value> +its colour\n +one of: red, blue$/m);
    expect(one.out).toMatch(/^ {2}-h, --help +show this help$/m);
    const viaHelp = capture();
    expect(await runCli(['help', 'things', 'make'], viaHelp, commands)).toBe(0);
    expect(viaHelp.out).toBe(one.out);
  });

  it("prints the CLI's version, its package.json's", async () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
      version: string;
    };
    for (const flag of ['--version', '-v']) {
      const context = capture();
      expect(await runCli([flag], context)).toBe(0);
      expect(context.out).toBe(`${manifest.version}\n`);
    }
  });

  it("lists a group's commands on --help (exit 0), and alone on stderr (exit 2)", async () => {
    const asked = capture();
    expect(await runCli(['runs', '--help'], asked)).toBe(0);
    const listed = asked.out.match(/^ {2}weft runs \w+/gm)?.map((line) => line.trim());
    expect(listed).toEqual(
      ['list', 'show', 'watch', 'cancel', 'resume'].map((name) => `weft runs ${name}`),
    );
    expect(asked.out).toContain("      List the app's runs, newest first (default 20)\n");
    expect(asked.out).not.toContain('weft run <slug|id>');
    const bare = capture();
    expect(await runCli(['runs'], bare)).toBe(2);
    expect(bare.err).toBe(asked.out);
    const viaHelp = capture();
    expect(await runCli(['help', 'runs'], viaHelp)).toBe(0);
    expect(viaHelp.out).toBe(asked.out);
  });

  it('lists the run statuses --status accepts, from the contract, and refuses others', async () => {
    const context = capture();
    expect(await runCli(['runs', 'list', '--help'], context)).toBe(0);
    expect(context.out).toContain(`one of: ${RUN_STATUSES.join(', ')}\n`);
    expect(context.out).toMatch(/^ {2}--limit <n> +how many runs, 1 to 1000 \(default 20\)$/m);
    expect(context.out).toMatch(/^ {2}--profile <name> +the profile/m);
    const refused = capture();
    expect(await runCli(['runs', 'list', '--status', 'done'], refused)).toBe(2);
    expect(refused.err).toContain(`--status must be one of ${RUN_STATUSES.join(', ')}, not "done"`);
  });

  it('says what exists when a command is unknown', async () => {
    const context = capture();
    expect(await runCli(['runs', 'frob'], context)).toBe(2);
    expect(context.err).toBe(
      'weft: unknown command "runs frob": weft runs has list, show, watch, cancel, resume ' +
        '(see weft runs --help)\n',
    );
    const group = capture();
    expect(await runCli(['flows'], group)).toBe(2);
    expect(group.err).toContain('the commands are apps, keys, workflows, task-types, run, runs');
  });

  it('refuses an empty app name before touching the database', async () => {
    const context = capture();
    expect(await runCli(['apps', 'create', '  '], context)).toBe(2);
    expect(context.err).toContain('an app name must not be empty');
  });
});

describe('redactUri', () => {
  it('hides the password only', () => {
    expect(redactUri('mongodb://user:s3cret@db:27017/weft')).toBe(
      'mongodb://user:***@db:27017/weft',
    );
    expect(redactUri('mongodb+srv://u:p@cluster/x')).toBe('mongodb+srv://u:***@cluster/x');
    expect(redactUri('mongodb://127.0.0.1:27017/weft')).toBe('mongodb://127.0.0.1:27017/weft');
  });
});
