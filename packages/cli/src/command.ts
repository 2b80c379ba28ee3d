/**
 * Exit codes: 0 done, 1 it failed (an API error, a run that failed, the database unreachable…),
 * 2 the command line is wrong, 3 a run did not end within `--timeout`.
 */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_TIMEOUT = 3;

/** Where a command writes, and the environment it reads: injected so tests can capture them. */
export interface CliContext {
  env: NodeJS.ProcessEnv;
  stdout(text: string): void;
  /** Writes bytes to stdout as they are (an artifact's). Absent: such output needs a file. */
  stdoutBytes?(bytes: Uint8Array): void;
  stderr(text: string): void;
  /** True when stderr is a terminal: run progress is then redrawn in place. Default: false. */
  stderrIsTty?: boolean;
  /** The terminal's width, for the progress table. Default: 100. */
  columns?: number;
}

/** A command line that makes no sense: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A command that was understood but could not be done: printed as is, exit code 1. */
export class CommandError extends Error {
  override name = 'CommandError';
}

/** What a command receives: its positional arguments and option values, already checked. */
export interface CommandArgs {
  positionals: string[];
  /** `string[]` for options declared `multiple`. */
  values: Record<string, string | boolean | string[] | undefined>;
}

/** One option of a command: how it is parsed, and what help says of it. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  /** A one-letter alias, e.g. `i` for `-i`. */
  short?: string;
  /** May be given more than once: the command then receives a `string[]`. Default: false. */
  multiple?: boolean;
  /** What the option does, for help; it names the default where there is one. */
  description: string;
  /** How help names a string option's value, e.g. `<url>`. Default: `<value>`. */
  placeholder?: string;
  /** The only values a string option accepts: help lists them, and any other one exits 2. */
  values?: readonly string[];
}

/** A command's options by name (without the `--`). */
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** The options every command takes besides its own. */
export const COMMON_OPTIONS = {
  json: {
    type: 'boolean',
    description: 'print machine-readable JSON on stdout (an API error as JSON on stderr)',
  },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const satisfies OptionSpecs;

/** One entry of the command table. */
export interface Command {
  /** The words that select it, e.g. `['apps', 'create']`. */
  path: readonly string[];
  /** e.g. `<name> [--json]`, after the path. */
  usage: string;
  summary: string;
  /** Its options. `--json` and `--help` are added to every command. */
  options: OptionSpecs;
  /** Options that must be given (each a string option). */
  requiredOptions: readonly string[];
  /** How many positional arguments it takes. */
  positionals: { min: number; max: number };
  /** Resolves to the exit code (default 0); throws UsageError, CommandError or an API error. */
  run(args: CommandArgs, context: CliContext): Promise<number | void>;
}
