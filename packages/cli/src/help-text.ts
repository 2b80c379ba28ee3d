import { DEFAULT_WEFT_URL } from '@weft/client';
import { COMMON_OPTIONS, type Command, type OptionSpec, type OptionSpecs } from './command';
import { DEFAULT_CONFIG_PATH_RULE, DEFAULT_PROFILE } from './config-file';
import { DEFAULT_MONGODB_URI } from './database';

/** The widest option column before descriptions move to their own line. */
const MAX_OPTION_COLUMN = 28;
/** Help's lines are wrapped to this many columns, a terminal's usual width or more. */
const HELP_WIDTH = 100;

const EXIT_CODES_HELP =
  'Exit codes: 0 done, 1 failed (an API error, a failed run), 2 wrong usage,\n' +
  '            3 the run did not end within --timeout.\n';

/** `weft <path> <usage>`. */
export function usageLine(command: Command): string {
  return `weft ${command.path.join(' ')} ${command.usage}`;
}

/** The groups (`apps`, `runs`…) and lone commands (`run`), in the table's order. */
export function topLevelNames(commands: readonly Command[]): string[] {
  return [...new Set(commands.map((command) => command.path[0] ?? ''))];
}

/** The commands of group `name` (`runs` → runs list, runs show…); empty when it is none. */
export function groupCommands(commands: readonly Command[], name: string): Command[] {
  return commands.filter((command) => command.path.length > 1 && command.path[0] === name);
}

function commandList(commands: readonly Command[]): string {
  return commands
    .map(
      (command) =>
        `  ${wrap(usageLine(command), '      ')}\n      ${wrap(command.summary, '      ')}\n`,
    )
    .join('');
}

function optionLabel(name: string, spec: OptionSpec): string {
  const flag = `${spec.short === undefined ? '' : `-${spec.short}, `}--${name}`;
  return spec.type === 'string' ? `${flag} ${spec.placeholder ?? '<value>'}` : flag;
}

/** `text` in lines of at most HELP_WIDTH columns, the later ones after `indent`. */
function wrap(text: string, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && indent.length + line.length + 1 + word.length > HELP_WIDTH) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines.join(`\n${indent}`);
}

/** Each option on its line: name and value, what it does, and the values it accepts. */
export function optionsHelp(options: OptionSpecs): string {
  const entries = Object.entries(options).map(([name, spec]) => ({
    label: optionLabel(name, spec),
    spec,
  }));
  const width = Math.min(MAX_OPTION_COLUMN, Math.max(...entries.map(({ label }) => label.length)));
  const indent = ' '.repeat(width + 4);
  return entries
    .map(({ label, spec }) => {
      const head = label.length > width ? `  ${label}\n${indent}` : `  ${label.padEnd(width)}  `;
      const values =
        spec.values === undefined
          ? ''
          : `\n${indent}${wrap(`one of: ${spec.values.join(', ')}`, indent)}`;
      return `${head}${wrap(spec.description, indent)}${values}\n`;
    })
    .join('');
}

/** One command's help: its usage, what it does, and every option it takes. */
export function commandHelp(command: Command): string {
  return (
    `Usage: ${wrap(usageLine(command), '         ')}\n  ${wrap(command.summary, '  ')}\n\n` +
    `Options:\n${optionsHelp({ ...command.options, ...COMMON_OPTIONS })}`
  );
}

/** A group's help: each of its commands with what it does. */
export function groupHelp(commands: readonly Command[], group: string): string {
  return (
    `Usage: weft ${group} <command> [options]\n\nCommands:\n` +
    commandList(groupCommands(commands, group)) +
    `\n\`weft ${group} <command> --help\` lists a command's options.\n`
  );
}

/** The help text: every command with what it does, and the environment the CLI reads. */
export function helpText(commands: readonly Command[]): string {
  return (
    'Usage: weft <command> [options]\n\nCommands:\n' +
    commandList(commands) +
    "\n`weft <group> --help` (e.g. `weft runs --help`) lists a group's commands,\n" +
    "`weft <command> --help` (e.g. `weft runs list --help`) a command's options.\n" +
    '\nOptions:\n' +
    optionsHelp({
      version: { type: 'boolean', short: 'v', description: "print the CLI's version" },
      help: COMMON_OPTIONS.help,
    }) +
    `${wrap(`Every command takes -h and --json: ${COMMON_OPTIONS.json.description}.`, '')}\n` +
    '\nEnvironment (a flag wins over its variable, a variable over the profile):\n' +
    `  WEFT_URL          the API (default ${DEFAULT_WEFT_URL})\n` +
    '  WEFT_API_KEY      the API key of the app to work as\n' +
    "  WEFT_ADMIN_TOKEN  the gateway's ADMIN_TOKEN: apps and keys --app go through the API\n" +
    `  WEFT_PROFILE      the profile to use (default "${DEFAULT_PROFILE}", when it exists)\n` +
    '  WEFT_CONFIG       the config file holding the profiles\n' +
    `                    (default ${DEFAULT_CONFIG_PATH_RULE})\n` +
    '  MONGODB_URI       without an admin token, the database apps and keys --app use\n' +
    `                    (default ${DEFAULT_MONGODB_URI})\n` +
    `\n${EXIT_CODES_HELP}`
  );
}
