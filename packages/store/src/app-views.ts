import type { ApiKey, App as AppView } from '@weft/contract';
import type { ApiKeyInfo, App } from './app-store';

const iso = (ms: number) => new Date(ms).toISOString();

/** A stored key as the API shows it (ISO times): never the key, nor its hash. */
export function apiKeyView(key: ApiKeyInfo): ApiKey {
  return {
    id: key.id,
    prefix: key.prefix,
    createdAt: iso(key.createdAt),
    ...(key.lastUsedAt === undefined ? {} : { lastUsedAt: iso(key.lastUsedAt) }),
    ...(key.revokedAt === undefined ? {} : { revokedAt: iso(key.revokedAt) }),
  };
}

/** A stored app as the API shows it: never its webhook secret. */
export function appView(app: App): AppView {
  return { id: app.id, name: app.name, createdAt: iso(app.createdAt) };
}
