import type { ApiKey } from '@weft/client';
import { API_OPTIONS, apiClientOf, apiKeyOf } from '../api-client';
import {
  CommandError,
  UsageError,
  type CliContext,
  type Command,
  type CommandArgs,
  type OptionSpecs,
} from '../command';
import { keyByPrefix } from '../key-display';
import { OPERATOR_OPTIONS, withOperator } from '../operator';
import { formatTable } from '../table';

const keyOptions = {
  app: {
    type: 'string',
    placeholder: '<appId>',
    description: "any app's keys, as an operator (default: the API key's own app, over the API)",
  },
  ...API_OPTIONS,
  ...OPERATOR_OPTIONS,
} as const satisfies OptionSpecs;

/** `[--app <appId>]`: any app, as an operator; or nothing, for the API key's own app. */
const APP_USAGE = '[--app <appId>]';

/**
 * The app whose keys an operator manages (over the admin API or in the database), or undefined
 * for the app of the key in `--api-key` or WEFT_API_KEY. With neither, the command line is
 * incomplete.
 */
function appIdOf(values: CommandArgs['values'], context: CliContext): string | undefined {
  const app = values.app;
  if (typeof app === 'string') {
    if (app.trim() === '') throw new UsageError('--app must not be empty');
    return app.trim();
  }
  if (apiKeyOf(values, context) === undefined) {
    throw new UsageError(
      '--app is required, or an API key (--api-key or WEFT_API_KEY) to manage its own app’s keys over the API',
    );
  }
  return undefined;
}

/** A key of `appId` as the `--app` commands print it in JSON: every field, null when unset. */
function keyJson(appId: string, key: ApiKey) {
  return {
    id: key.id,
    appId,
    prefix: key.prefix,
    createdAt: key.createdAt,
    lastUsedAt: key.lastUsedAt ?? null,
    revokedAt: key.revokedAt ?? null,
  };
}

/** Keys from either mode, as the API shows them (ISO times). */
function keyTable(keys: readonly ApiKey[]): string {
  return formatTable(
    ['KEY', 'PREFIX', 'CREATED', 'LAST USED', 'STATUS'],
    keys.map((key) => [
      key.id,
      keyByPrefix(key.prefix),
      key.createdAt,
      key.lastUsedAt ?? 'never',
      key.revokedAt === undefined ? 'active' : `revoked ${key.revokedAt}`,
    ]),
  );
}

/** `weft keys create [--app <appId>]`: another key, shown once. */
export const createKeyCommand: Command = {
  path: ['keys', 'create'],
  usage: `${APP_USAGE} [--json]`,
  summary: 'Create another API key, shown once (--app: any app, as an operator)',
  options: keyOptions,
  requiredOptions: [],
  positionals: { min: 0, max: 0 },
  async run({ values }, context) {
    const appId = appIdOf(values, context);
    if (appId === undefined) {
      const created = await apiClientOf(values, context).keys.create();
      if (values.json === true) {
        context.stdout(`${JSON.stringify({ keyId: created.key.id, apiKey: created.apiKey })}\n`);
        return;
      }
      context.stdout(`Created key ${created.key.id}, shown this once:\n\n  ${created.apiKey}\n\n`);
      return;
    }
    const created = await withOperator(values, context, (operator) => operator.createKey(appId));
    if (!created) throw new CommandError(`there is no app ${appId}`);
    if (values.json === true) {
      context.stdout(
        `${JSON.stringify({ appId, keyId: created.key.id, apiKey: created.apiKey })}\n`,
      );
      return;
    }
    context.stdout(
      `Created key ${created.key.id} for app ${appId}, shown this once:\n\n  ${created.apiKey}\n\n`,
    );
  },
};

/** `weft keys list [--app <appId>]`: the app's keys by prefix, never the keys themselves. */
export const listKeysCommand: Command = {
  path: ['keys', 'list'],
  usage: `${APP_USAGE} [--json]`,
  summary: "List an app's API keys: prefix, created, last used, revoked",
  options: keyOptions,
  requiredOptions: [],
  positionals: { min: 0, max: 0 },
  async run({ values }, context) {
    const appId = appIdOf(values, context);
    if (appId === undefined) {
      const keys = await apiClientOf(values, context).keys.list();
      context.stdout(values.json === true ? `${JSON.stringify({ keys })}\n` : keyTable(keys));
      return;
    }
    const keys = await withOperator(values, context, (operator) => operator.listKeys(appId));
    if (!keys) throw new CommandError(`there is no app ${appId}`);
    if (values.json === true) {
      const listed = keys.map((key) => keyJson(appId, key));
      context.stdout(`${JSON.stringify({ appId, keys: listed })}\n`);
      return;
    }
    context.stdout(keyTable(keys));
  },
};

/** `weft keys revoke <keyId> [--app <appId>]`: requests with that key fail from now on. */
export const revokeKeyCommand: Command = {
  path: ['keys', 'revoke'],
  usage: `<keyId> ${APP_USAGE} [--json]`,
  summary: 'Revoke an API key: requests with it fail from now on',
  options: keyOptions,
  requiredOptions: [],
  positionals: { min: 1, max: 1 },
  async run({ positionals, values }, context) {
    const appId = appIdOf(values, context);
    const keyId = positionals[0] ?? '';
    if (appId === undefined) {
      const key = await apiClientOf(values, context).keys.revoke(keyId);
      if (values.json === true) {
        context.stdout(`${JSON.stringify({ key })}\n`);
        return;
      }
      context.stdout(`Revoked key ${key.id} (${keyByPrefix(key.prefix)}).\n`);
      return;
    }
    const revoked = await withOperator(values, context, (operator) =>
      operator.revokeKey(appId, keyId),
    );
    if (!revoked) throw new CommandError(`app ${appId} has no key ${keyId}`);
    if (values.json === true) {
      context.stdout(`${JSON.stringify({ key: keyJson(appId, revoked) })}\n`);
      return;
    }
    context.stdout(`Revoked key ${revoked.id} (${keyByPrefix(revoked.prefix)}) of app ${appId}.\n`);
  },
};
