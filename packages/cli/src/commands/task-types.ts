import { API_OPTIONS, apiClientOf } from '../api-client';
import type { Command } from '../command';
import { formatTable } from '../table';

export const listTaskTypesCommand: Command = {
  path: ['task-types', 'list'],
  usage: '[--json]',
  summary: 'List the task types a node may name, with their schemas (--json)',
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
        ['NAME', 'CATEGORY', 'MODEL', 'DESCRIPTION'],
        taskTypes.map((taskType) => [
          taskType.name,
          taskType.category,
          taskType.needsModel ? 'required' : '',
          taskType.description,
        ]),
      ),
    );
  },
};
