import { WeftClient } from '@weft/client';
import { API_OPTIONS, apiClientOf, cliUserAgent } from '../api-client';
import { UsageError, type CliContext, type Command, type CommandArgs } from '../command';
import { PROFILE_OPTION, URL_OPTION, connectionSettingsOf } from '../connection-settings';
import { formatTable } from '../table';

export const listTaskTypesCommand: Command = {
  path: ['task-types', 'list'],
  usage: '[--json]',
  summary:
    'List the task types a node may name, built-in then registered, with their schemas (--json)',
  options: { ...API_OPTIONS },
  requiredOptions: [],
  positionals: { min: 0, max: 0 },
  async run({ values }, context) {
    const taskTypes = await apiClientOf(values, context).taskTypes.list();
    if (values.json === true) {
      context.stdout(`${JSON.stringify({ taskTypes })}\n`);
      return;
    }
    context.stdout(
      formatTable(
        ['NAME', 'CATEGORY', 'VERSION', 'BUILT-IN', 'MODEL', 'DESCRIPTION'],
        taskTypes.map((taskType) => [
          taskType.name,
          taskType.category,
          taskType.version === undefined ? '' : String(taskType.version),
          taskType.builtIn ? 'yes' : 'no',
          taskType.needsModel ? 'required' : '',
          taskType.description,
        ]),
      ),
    );
  },
};

/** A client of the gateway's admin API; without an admin token the command line is incomplete. */
function adminClientOf(values: CommandArgs['values'], context: CliContext): WeftClient {
  const { url, adminToken } = connectionSettingsOf(values, context);
  if (adminToken === undefined) {
    throw new UsageError(
      "no admin token: pass --admin-token <token>, set WEFT_ADMIN_TOKEN, or save one in a profile; task types are removed through the gateway's admin API",
    );
  }
  return new WeftClient({ url, adminToken, userAgent: cliUserAgent() });
}

export const removeTaskTypeCommand: Command = {
  path: ['task-types', 'remove'],
  usage: '<name> [--json]',
  summary:
    'Remove a task type registered at run time (with the admin token); workflows naming it are refused from then on',
  options: {
    url: URL_OPTION,
    'admin-token': {
      type: 'string',
      placeholder: '<token>',
      description: "the gateway's ADMIN_TOKEN (overrides WEFT_ADMIN_TOKEN and the profile)",
    },
    profile: PROFILE_OPTION,
  },
  requiredOptions: [],
  positionals: { min: 1, max: 1 },
  async run({ positionals, values }, context) {
    const name = positionals[0] ?? '';
    const removed = await adminClientOf(values, context).admin.taskTypes.remove(name);
    if (values.json === true) {
      context.stdout(`${JSON.stringify({ taskType: removed })}\n`);
      return;
    }
    context.stdout(
      `Removed task type ${removed.name} (version ${removed.version}, registered ${removed.registeredAt}).\n` +
        'Workflows naming it are refused until a worker registers it again.\n',
    );
  },
};
