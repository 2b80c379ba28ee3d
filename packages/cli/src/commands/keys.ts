import type { ApiKeyInfo } from '@weft/store';
import { CommandError, type Command } from '../command';
import { withAppStore } from '../database';

const appOption = { app: { type: 'string' } } as const;

function appIdOf(values: Record<string, string | boolean | undefined>): string {
  // parseArgs guarantees the type; requiredOptions in the table guarantees presence.
  return values.app as string;
}

function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

function keyJson(key: ApiKeyInfo) {
  return {
    id: key.id,
    appId: key.appId,
    prefix: key.prefix,
    createdAt: iso(key.createdAt),
    lastUsedAt: iso(key.lastUsedAt),
    revokedAt: iso(key.revokedAt),
  };
}

/** `weft keys create --app <appId>`: another key for an app, shown once. */
export const createKeyCommand: Command = {
  path: ['keys', 'create'],
  usage: '--app <appId> [--json]',
  summary: 'Create another API key for an app (the key is shown once)',
  options: appOption,
  requiredOptions: ['app'],
  positionals: { min: 0, max: 0 },
  async run({ values }, context) {
    const appId = appIdOf(values);
    const created = await withAppStore(context, (apps) => apps.createKey(appId));
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

/** `weft keys list --app <appId>`: the app's keys by prefix, never the keys themselves. */
export const listKeysCommand: Command = {
  path: ['keys', 'list'],
  usage: '--app <appId> [--json]',
  summary: "List an app's API keys: prefix, created, last used, revoked",
  options: appOption,
  requiredOptions: ['app'],
  positionals: { min: 0, max: 0 },
  async run({ values }, context) {
    const appId = appIdOf(values);
    const { app, keys } = await withAppStore(context, async (apps) => ({
      app: await apps.getApp(appId),
      keys: await apps.listKeys(appId),
    }));
    if (!app) throw new CommandError(`there is no app ${appId}`);
    if (values.json === true) {
      context.stdout(`${JSON.stringify({ appId, keys: keys.map(keyJson) })}\n`);
      return;
    }
    const rows = keys.map((key) => [
      key.id,
      `weft_${key.prefix}_…`,
      iso(key.createdAt) ?? '',
      iso(key.lastUsedAt) ?? 'never',
      key.revokedAt === undefined ? 'active' : `revoked ${iso(key.revokedAt)}`,
    ]);
    const table = [['KEY', 'PREFIX', 'CREATED', 'LAST USED', 'STATUS'], ...rows];
    const widths = table[0]?.map((_, column) =>
      Math.max(...table.map((row) => (row[column] ?? '').length)),
    );
    context.stdout(
      table
        .map((row) =>
          row
            .map((cell, column) => cell.padEnd(widths?.[column] ?? 0))
            .join('  ')
            .trimEnd(),
        )
        .join('\n') + '\n',
    );
  },
};

/** `weft keys revoke <keyId> --app <appId>`: requests with that key fail from now on. */
export const revokeKeyCommand: Command = {
  path: ['keys', 'revoke'],
  usage: '<keyId> --app <appId> [--json]',
  summary: 'Revoke an API key: requests with it fail from now on',
  options: appOption,
  requiredOptions: ['app'],
  positionals: { min: 1, max: 1 },
  async run({ positionals, values }, context) {
    const appId = appIdOf(values);
    const keyId = positionals[0] ?? '';
    const revoked = await withAppStore(context, (apps) => apps.revokeKey(appId, keyId));
    if (!revoked) throw new CommandError(`app ${appId} has no key ${keyId}`);
    if (values.json === true) {
      context.stdout(`${JSON.stringify({ key: keyJson(revoked) })}\n`);
      return;
    }
    context.stdout(`Revoked key ${revoked.id} (weft_${revoked.prefix}_…) of app ${appId}.\n`);
  },
};
