import { createLogger } from '@weft/observability';
import type { GatewayDeps } from '../deps';

/** The one API key the fake deps accept, as the app `app_1`'s key `key_1`. */
export const TEST_API_KEY = `weft_abcdefgh_${'k'.repeat(43)}`;

function unused(): never {
  throw new Error('not used by this test');
}

/**
 * Deps for tests of the HTTP edges: they authenticate {@link TEST_API_KEY} and nothing else, and
 * every store call throws unless `overrides` supplies it, so a test sees what it touches.
 */
export function edgeOnlyDeps(overrides: Partial<GatewayDeps> = {}): GatewayDeps {
  return {
    apps: {
      authenticate: async (key) =>
        key === TEST_API_KEY ? { appId: 'app_1', keyId: 'key_1' } : undefined,
      createKey: unused,
      listKeys: unused,
      revokeKey: unused,
      revokedAmong: unused,
      createApp: unused,
      listApps: unused,
      getApp: unused,
    },
    workflows: {
      get: unused,
      list: unused,
      versions: unused,
      save: unused,
      getById: unused,
      listOwn: unused,
      delete: unused,
    },
    runs: { get: unused, versionOf: unused, reread: unused, list: unused },
    engine: { create: unused, cancel: unused, resume: unused },
    artifacts: { open: unused, putStream: unused },
    results: { get: unused, list: unused },
    vectors: { upsert: unused, search: unused },
    webhookEndpoints: {
      create: unused,
      list: unused,
      get: unused,
      update: unused,
      delete: unused,
      rotateSecret: unused,
    },
    webhookDeliveries: { get: unused, forEndpoint: unused, forRun: unused, resend: unused },
    logger: createLogger('gateway', { write: () => undefined }),
    ...overrides,
  };
}
