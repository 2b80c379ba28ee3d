import { parseArgs } from 'node:util';
import {
  CommandError,
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  UsageError,
  type CliContext,
  type Command,
} from './command';
import { COMMANDS } from './commands';

const COMMON_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function usageLine(command: Command): string {
  return `weft ${command.path.join(' ')} ${command.usage}`;
}

/** The help text: every command with what it does, and the environment the CLI reads. */
export function helpText(commands: readonly Command[] = COMMANDS): string {
  const lines = commands.map((command) => [usageLine(command), command.summary] as const);
  const width = Math.max(...lines.map(([usage]) => usage.length));
  return (
    'Usage:\n' +
    lines.map(([usage, summary]) => `  ${usage.padEnd(width)}  ${summary}`).join('\n') +
    '\n\nOptions:\n  --json      print machine-readable JSON\n  -h, --help  show this help\n' +
    '\nEnvironment:\n  MONGODB_URI  the database (default mongodb://127.0.0.1:27017/weft)\n' +
    '\nExit codes: 0 done, 1 failed, 2 wrong usage.\n'
  );
}

/** The command whose path the arguments start with (longest match), and the arguments after it. */
function findCommand(
  argv: readonly string[],
  commands: readonly Command[],
): { command: Command; rest: string[] } | undefined {
  let found: { command: Command; rest: string[] } | undefined;
  for (const command of commands) {
    const matches = command.path.every((word, i) => argv[i] === word);
    if (matches && (!found || command.path.length > found.command.path.length)) {
      found = { command, rest: argv.slice(command.path.length) };
    }
  }
  return found;
}

function parseCommandLine(command: Command, rest: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...command.options, ...COMMON_OPTIONS },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { positionals, values } = parsed;
  if (values.help === true) return { help: true as const };
  const { min, max } = command.positionals;
  if (positionals.length < min || positionals.length > max) {
    throw new UsageError(
      positionals.length < min
        ? 'missing argument'
        : `unexpected argument "${positionals[max] ?? ''}"`,
    );
  }
  for (const name of command.requiredOptions) {
    const value = (values as Record<string, unknown>)[name];
    if (typeof value !== 'string' || value.trim() === '') {
      throw new UsageError(`--${name} is required`);
    }
  }
  return {
    help: false as const,
    positionals,
    values: values as Record<string, string | boolean | undefined>,
  };
}

/**
 * Runs the command line `argv` (without `node` and the script) and returns the exit code:
 * 0 done, 1 failed, 2 wrong usage. Never throws.
 */
export async function runCli(
  argv: readonly string[],
  context: CliContext,
  commands: readonly Command[] = COMMANDS,
): Promise<number> {
  if (argv.length === 0) {
    context.stderr(helpText(commands));
    return EXIT_USAGE;
  }
  if (argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
    context.stdout(helpText(commands));
    return EXIT_OK;
  }
  const found = findCommand(argv, commands);
  if (!found) {
    context.stderr(`weft: unknown command "${argv.join(' ')}"\n\n${helpText(commands)}`);
    return EXIT_USAGE;
  }
  const { command, rest } = found;
  try {
    const parsed = parseCommandLine(command, rest);
    if (parsed.help) {
      context.stdout(`Usage: ${usageLine(command)}\n  ${command.summary}\n`);
      return EXIT_OK;
    }
    await command.run({ positionals: parsed.positionals, values: parsed.values }, context);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof UsageError) {
      context.stderr(`weft: ${error.message}\nUsage: ${usageLine(command)}\n`);
      return EXIT_USAGE;
    }
    if (error instanceof CommandError) {
      context.stderr(`weft: ${error.message}\n`);
      return EXIT_FAILURE;
    }
    context.stderr(`weft: ${command.path.join(' ')} failed: ${(error as Error).message}\n`);
    return EXIT_FAILURE;
  }
}
