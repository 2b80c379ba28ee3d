import { parseArgs } from 'node:util';
import { WeftApiError, WeftConnectionError } from '@weft/client';
import { cliVersion } from './cli-version';
import {
  COMMON_OPTIONS,
  CommandError,
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  UsageError,
  type CliContext,
  type Command,
  type OptionSpecs,
} from './command';
import { COMMANDS } from './commands';
import { formatDiagnostics, isDiagnostics } from './diagnostics-format';
import {
  commandHelp,
  groupCommands,
  groupHelp,
  helpText,
  topLevelNames,
  usageLine,
} from './help-text';

const HELP_FLAGS = ['--help', '-h'];
const VERSION_FLAGS = ['--version', '-v'];

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

/** The options in node:util parseArgs form: how each parses, without what help says. */
function parseArgsOptions(options: OptionSpecs) {
  return Object.fromEntries(
    Object.entries(options).map(([name, { type, short, multiple }]) => [
      name,
      { type, ...(short === undefined ? {} : { short }), ...(multiple ? { multiple } : {}) },
    ]),
  );
}

/** Refuses a value outside an option's declared `values`. */
function checkAllowedValues(options: OptionSpecs, values: Record<string, unknown>): void {
  for (const [name, spec] of Object.entries(options)) {
    const given = values[name];
    if (spec.values === undefined || given === undefined) continue;
    for (const value of Array.isArray(given) ? given : [given]) {
      if (!spec.values.includes(String(value))) {
        throw new UsageError(`--${name} must be one of ${spec.values.join(', ')}, not "${value}"`);
      }
    }
  }
}

/**
 * "unknown command", with what does exist: the group's commands for `runs frob`, every group
 * and command for `frob`. Exit code 2.
 */
function unknownCommand(
  words: readonly string[],
  context: CliContext,
  commands: readonly Command[],
): number {
  const group = words[0] ?? '';
  const inGroup = words.length > 1 ? groupCommands(commands, group) : [];
  const known =
    inGroup.length > 0
      ? `weft ${group} has ${inGroup.map((command) => command.path.slice(1).join(' ')).join(', ')}`
      : `the commands are ${topLevelNames(commands).join(', ')}`;
  const more = inGroup.length > 0 ? `weft ${group} --help` : 'weft --help';
  context.stderr(`weft: unknown command "${words.join(' ')}": ${known} (see ${more})\n`);
  return EXIT_USAGE;
}

/** `weft help [<group> [<command>]]`: the help of what the words name, on stdout. */
function showHelpOf(words: string[], context: CliContext, commands: readonly Command[]): number {
  const exact = commands.find((command) => command.path.join(' ') === words.join(' '));
  if (exact !== undefined) {
    context.stdout(commandHelp(exact));
    return EXIT_OK;
  }
  if (words.length === 1 && groupCommands(commands, words[0] ?? '').length > 0) {
    context.stdout(groupHelp(commands, words[0] ?? ''));
    return EXIT_OK;
  }
  return unknownCommand(words, context, commands);
}

function parseCommandLine(command: Command, rest: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: parseArgsOptions({ ...command.options, ...COMMON_OPTIONS }),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { positionals, values } = parsed;
  if (values.help === true) return { help: true as const };
  checkAllowedValues(command.options, values);
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
    values: values as Record<string, string | boolean | string[] | undefined>,
  };
}

/** An API error for people: the message, its code, status and request id, then its details. */
export function formatApiError(error: WeftApiError): string {
  const about = [error.code, `HTTP ${error.status}`];
  if (error.requestId !== undefined) about.push(`request ${error.requestId}`);
  let text = `weft: ${error.message} (${about.join(', ')})\n`;
  const { issues, diagnostics } = error.details;
  if (Array.isArray(issues)) {
    for (const issue of issues as { path?: unknown; message?: unknown }[]) {
      const where = typeof issue.path === 'string' && issue.path !== '' ? `${issue.path}: ` : '';
      text += `  ${where}${String(issue.message)}\n`;
    }
  }
  if (isDiagnostics(diagnostics)) text += formatDiagnostics(diagnostics);
  return text;
}

function apiErrorJson(error: WeftApiError): string {
  return `${JSON.stringify({
    error: {
      status: error.status,
      code: error.code,
      message: error.message,
      details: error.details,
      requestId: error.requestId ?? null,
    },
  })}\n`;
}

/**
 * Runs the command line `argv` (without `node` and the script) and returns the exit code:
 * 0 done, 1 failed, 2 wrong usage, 3 a run did not end within --timeout. Never throws.
 */
export async function runCli(
  argv: readonly string[],
  context: CliContext,
  commands: readonly Command[] = COMMANDS,
): Promise<number> {
  const [first, second] = argv;
  if (first === undefined) {
    context.stderr(helpText(commands));
    return EXIT_USAGE;
  }
  if (VERSION_FLAGS.includes(first) && argv.length === 1) {
    context.stdout(`${cliVersion()}\n`);
    return EXIT_OK;
  }
  if (first === 'help' && argv.length > 1) return showHelpOf(argv.slice(1), context, commands);
  if (first === 'help' || HELP_FLAGS.includes(first)) {
    context.stdout(helpText(commands));
    return EXIT_OK;
  }
  const found = findCommand(argv, commands);
  if (!found) {
    if (groupCommands(commands, first).length === 0) {
      return unknownCommand([first], context, commands);
    }
    if (second === undefined) {
      context.stderr(groupHelp(commands, first));
      return EXIT_USAGE;
    }
    if (HELP_FLAGS.includes(second)) {
      context.stdout(groupHelp(commands, first));
      return EXIT_OK;
    }
    return unknownCommand([first, second], context, commands);
  }
  const { command, rest } = found;
  let json = false;
  try {
    const parsed = parseCommandLine(command, rest);
    if (parsed.help) {
      context.stdout(commandHelp(command));
      return EXIT_OK;
    }
    json = parsed.values.json === true;
    const code = await command.run(
      { positionals: parsed.positionals, values: parsed.values },
      context,
    );
    return code ?? EXIT_OK;
  } catch (error) {
    if (error instanceof WeftApiError) {
      context.stderr(json ? apiErrorJson(error) : formatApiError(error));
      return EXIT_FAILURE;
    }
    if (error instanceof WeftConnectionError) {
      context.stderr(`weft: cannot reach the Weft API (set WEFT_URL or --url): ${error.message}\n`);
      return EXIT_FAILURE;
    }
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
