import type { CliContext, Command } from './command';
import { CommandError } from './command';
import { redactUri } from './database';
import { helpText, runCli } from './run-cli';

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
    options: { size: { type: 'string' } },
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
    [['nothing'], /unknown command "nothing"/],
    [['things', 'make', 'x'], /--size is required/],
    [['things', 'make', '--size', '3'], /missing argument/],
    [['things', 'make', 'x', 'y', '--size', '3'], /unexpected argument "y"/],
    [['things', 'make', 'x', '--size', '3', '--colour'], /Unknown option '--colour'/],
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
    expect(context.out).toBe(helpText());
    expect(context.out).toContain('weft apps create <name> [--json]');
    expect(context.out).toContain('weft keys revoke <keyId> [--app <appId>] [--json]');
    expect(context.out).toContain('weft run <slug|id>');
    expect(context.out).toContain('3 the run did not end within --timeout');
    const one = capture();
    expect(await runCli(['things', 'make', '-h'], one, commands)).toBe(0);
    expect(one.out).toContain('Usage: weft things make <name> --size <n> [--json]');
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
