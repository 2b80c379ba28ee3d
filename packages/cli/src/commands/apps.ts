import { appNameProblem } from '@weft/store';
import { UsageError, type Command } from '../command';
import { OPERATOR_OPTIONS, withOperator } from '../operator';
import { formatTable } from '../table';

/** `weft apps create <name>`: a new app and its first API key, shown once. */
export const createAppCommand: Command = {
  path: ['apps', 'create'],
  usage: '<name> [--json]',
  summary:
    'Create an app and its first API key, shown once (with an admin token over the API, else in the database)',
  options: OPERATOR_OPTIONS,
  requiredOptions: [],
  positionals: { min: 1, max: 1 },
  async run({ positionals, values }, context) {
    const name = positionals[0] ?? '';
    const problem = appNameProblem(name);
    if (problem !== undefined) throw new UsageError(problem);
    const { app, apiKey, webhookSecret } = await withOperator(values, context, (operator) =>
      operator.createApp(name),
    );
    if (values.json === true) {
      context.stdout(`${JSON.stringify({ appId: app.id, apiKey, webhookSecret })}\n`);
      return;
    }
    context.stdout(
      `Created app "${app.name}" (${app.id}).\n` +
        `Its API key, shown this once; keep it somewhere safe:\n\n  ${apiKey}\n\n` +
        `Send it as X-API-Key: <key>, or Authorization: Bearer <key>.\n\n` +
        `Webhooks from this app's runs are signed with (Standard Webhooks):\n\n  ${webhookSecret}\n`,
    );
  },
};

/** `weft apps list`: every app, oldest first. */
export const listAppsCommand: Command = {
  path: ['apps', 'list'],
  usage: '[--json]',
  summary: 'List every app (with an admin token over the API, else in the database)',
  options: OPERATOR_OPTIONS,
  requiredOptions: [],
  positionals: { min: 0, max: 0 },
  async run({ values }, context) {
    const apps = await withOperator(values, context, (operator) => operator.listApps());
    if (values.json === true) {
      context.stdout(`${JSON.stringify({ apps })}\n`);
      return;
    }
    context.stdout(
      formatTable(
        ['APP', 'NAME', 'CREATED'],
        apps.map((app) => [app.id, app.name, app.createdAt]),
      ),
    );
  },
};
