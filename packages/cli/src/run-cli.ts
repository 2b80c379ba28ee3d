import { parseArgs } from 'node:util';
import { WeftApiError, WeftConnectionError } from '@weft/client';
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
import { formatDiagnostics, isDiagnostics } from './diagnostics-format';

const COMMON_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function usageLine(command: Command): string {
  return `weft ${command.path.join(' ')} ${command.usage}`;
}

/** The help line of each option that commands share, by option name. */
const SHARED_OPTION_HELP: Record<string, string> = {
  url: '  --url <url>      the API (overrides WEFT_URL; default http://127.0.0.1:8080)\n',
  'api-key': '  --api-key <key>  the API key (overrides WEFT_API_KEY)\n',
  'admin-token':
    "  --admin-token <token>  the gateway's ADMIN_TOKEN (overrides WEFT_ADMIN_TOKEN): act over the API\n",
};

/** The shared options `command` takes, one help line each. */
function optionsHelp(command: Command): string {
  return Object.keys(SHARED_OPTION_HELP)
    .filter((name) => name in command.options)
    .map((name) => SHARED_OPTION_HELP[name])
    .join('');
}

/** One command's help: its usage, what it does, and the shared options it takes. */
function commandHelp(command: Command): string {
  const options = optionsHelp(command);
  return `Usage: ${usageLine(command)}\n  ${command.summary}\n${options ? `\nOptions:\n${options}` : ''}`;
}

/** The help text: every command with what it does, and the environment the CLI reads. */
export function helpText(commands: readonly Command[] = COMMANDS): string {
  return (
    'Usage:\n' +
    commands.map((command) => `  ${usageLine(command)}\n      ${command.summary}\n`).join('') +
    '\nOptions:\n' +
    '  --json           print machine-readable JSON\n' +
    Object.values(SHARED_OPTION_HELP).join('') +
    '  -h, --help       show this help\n' +
    '\nEnvironment:\n' +
    '  WEFT_URL      the API (default http://127.0.0.1:8080)\n' +
    '  WEFT_API_KEY  the API key of the app to work as\n' +
    "  WEFT_ADMIN_TOKEN  the gateway's ADMIN_TOKEN: apps and keys --app go through the API\n" +
    '  MONGODB_URI   without it, the database apps and keys --app use (default mongodb://127.0.0.1:27017/weft)\n' +
    '\nExit codes: 0 done, 1 failed (an API error, a failed run), 2 wrong usage,\n' +
    '            3 the run did not end within --timeout.\n'
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
