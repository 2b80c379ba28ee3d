import { appNameProblem } from '@weft/store';
import { UsageError, type Command } from '../command';
import { withAppStore } from '../database';

/** `weft apps create <name>`: a new app and its first API key, shown once. */
export const createAppCommand: Command = {
  path: ['apps', 'create'],
  usage: '<name> [--json]',
  summary: 'Create an app and its first API key (the key is shown once)',
  options: {},
  requiredOptions: [],
  positionals: { min: 1, max: 1 },
  async run({ positionals, values }, context) {
    const name = positionals[0] ?? '';
    const problem = appNameProblem(name);
    if (problem !== undefined) throw new UsageError(problem);
    const { app, apiKey, webhookSecret } = await withAppStore(context, (apps) =>
      apps.createApp(name),
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
