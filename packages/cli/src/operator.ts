import { WeftApiError, WeftClient, type ApiKey, type App } from '@weft/client';
import { apiKeyView, appView } from '@weft/store';
import { cliUserAgent } from './api-client';
import type { CliContext, CommandArgs, OptionSpecs } from './command';
import { PROFILE_OPTION, URL_OPTION, connectionSettingsOf } from './connection-settings';
import { withAppStore } from './database';

/** Options of the commands that act for an operator, on any app. */
export const OPERATOR_OPTIONS = {
  url: URL_OPTION,
  'admin-token': {
    type: 'string',
    placeholder: '<token>',
    description:
      "the gateway's ADMIN_TOKEN (overrides WEFT_ADMIN_TOKEN and the profile): act over the " +
      'API; without one, directly in the database of MONGODB_URI',
  },
  profile: PROFILE_OPTION,
} as const satisfies OptionSpecs;

/** What an operator does to apps and their keys; `undefined` where the app or key is not there. */
export interface Operator {
  createApp(name: string): Promise<{ app: App; apiKey: string; webhookSecret: string }>;
  listApps(): Promise<App[]>;
  listKeys(appId: string): Promise<ApiKey[] | undefined>;
  createKey(appId: string): Promise<{ key: ApiKey; apiKey: string } | undefined>;
  revokeKey(appId: string, keyId: string): Promise<ApiKey | undefined>;
}

/** Undefined for the API's "not found" answers about the app or key asked for. */
async function orMissing<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof WeftApiError && ['app_not_found', 'key_not_found'].includes(error.code)) {
      return undefined;
    }
    throw error;
  }
}

function overTheApi(client: WeftClient): Operator {
  const admin = client.admin;
  return {
    createApp: (name) => admin.createApp(name),
    listApps: () => admin.listApps(),
    listKeys: (appId) => orMissing(admin.listKeys(appId)),
    createKey: (appId) => orMissing(admin.createKey(appId)),
    revokeKey: (appId, keyId) => orMissing(admin.revokeKey(appId, keyId)),
  };
}

/**
 * Runs `work` as an operator: over the gateway's admin API when an admin token is given
 * (`--admin-token`, WEFT_ADMIN_TOKEN or the profile), so it works against any deployed gateway;
 * else directly in the database of MONGODB_URI, for a local one.
 */
export async function withOperator<T>(
  values: CommandArgs['values'],
  context: CliContext,
  work: (operator: Operator) => Promise<T>,
): Promise<T> {
  const { url, adminToken } = connectionSettingsOf(values, context);
  if (adminToken !== undefined) {
    const client = new WeftClient({ url, adminToken, userAgent: cliUserAgent() });
    return work(overTheApi(client));
  }
  return withAppStore(context, (apps) =>
    work({
      createApp: async (name) => {
        const created = await apps.createApp(name);
        return {
          app: appView(created.app),
          apiKey: created.apiKey,
          webhookSecret: created.webhookSecret,
        };
      },
      listApps: async () => (await apps.listApps()).map(appView),
      listKeys: async (appId) =>
        (await apps.getApp(appId)) ? (await apps.listKeys(appId)).map(apiKeyView) : undefined,
      createKey: async (appId) => {
        const created = await apps.createKey(appId);
        return created && { key: apiKeyView(created.key), apiKey: created.apiKey };
      },
      revokeKey: async (appId, keyId) => {
        const revoked = await apps.revokeKey(appId, keyId);
        return revoked && apiKeyView(revoked);
      },
    }),
  );
}
