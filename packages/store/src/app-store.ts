import { Schema, type Connection, type Model } from 'mongoose';
import { MAX_APP_NAME_LENGTH } from '@weft/contract';
import { DISPLAY_TEXT_RULE, isDisplayName } from '@weft/core';
import { apiKeyPrefix, generateApiKey, hashApiKey } from './api-key';
import { generateWebhookSecret } from '@weft/webhooks';
import { newId } from './ids';

/** An app: the tenant every workflow, run and API key belongs to. */
export interface App {
  /** `app_…`. */
  id: string;
  name: string;
  /** Epoch ms. */
  createdAt: number;
}

/** What is known about an API key after it was shown: never the key itself. */
export interface ApiKeyInfo {
  /** `key_…`. */
  id: string;
  appId: string;
  /** The 8 characters after `weft_`, to tell keys apart. */
  prefix: string;
  createdAt: number;
  /** Updated at most once a minute. Absent: never used. */
  lastUsedAt?: number;
  /** Absent: the key works. */
  revokedAt?: number;
}

/** Who a request authenticated as. */
export interface ApiKeyPrincipal {
  appId: string;
  keyId: string;
}

/** A key just created: `apiKey` is the only copy there will ever be. */
export interface CreatedApiKey {
  key: ApiKeyInfo;
  apiKey: string;
}

/** Thrown by {@link AppStore.createKey} when the app holds as many working keys as it may. */
export class KeyLimitError extends Error {
  override name = 'KeyLimitError';

  constructor(readonly limit: number) {
    super(`an app may hold at most ${limit} working API keys; revoke one first`);
  }
}

/** How stale `lastUsedAt` may get: a busy key costs one write a minute, not one per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

interface AppDocument {
  _id: string;
  name: string;
  createdAt: number;
  /** `whsec_…`: signs the webhooks the app's runs send. Needed in the clear to sign with. */
  webhookSecret?: string;
}

interface ApiKeyDocument {
  _id: string;
  appId: string;
  prefix: string;
  /** SHA-256 of the key, hex: the lookup key for authentication. */
  hash: string;
  createdAt: number;
  lastUsedAt?: number;
  revokedAt?: number;
}

const appSchema = new Schema<AppDocument>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    createdAt: { type: Number, required: true },
    webhookSecret: String,
  },
  { versionKey: false, collection: 'apps' },
);

const apiKeySchema = new Schema<ApiKeyDocument>(
  {
    _id: { type: String, required: true },
    appId: { type: String, required: true },
    prefix: { type: String, required: true },
    hash: { type: String, required: true },
    createdAt: { type: Number, required: true },
    lastUsedAt: Number,
    revokedAt: Number,
  },
  { versionKey: false, collection: 'api_keys' },
);
apiKeySchema.index({ hash: 1 }, { unique: true });
apiKeySchema.index({ appId: 1, _id: 1 });

/** Why `name` cannot name an app, or undefined when it can. */
export function appNameProblem(name: string): string | undefined {
  const trimmed = name.trim();
  if (trimmed.length === 0) return 'an app name must not be empty';
  if (trimmed.length > MAX_APP_NAME_LENGTH) {
    return `an app name must be at most ${MAX_APP_NAME_LENGTH} characters`;
  }
  if (!isDisplayName(trimmed)) return `an app name must be ${DISPLAY_TEXT_RULE}`;
  return undefined;
}

function keyInfo(document: ApiKeyDocument): ApiKeyInfo {
  return {
    id: document._id,
    appId: document.appId,
    prefix: document.prefix,
    createdAt: document.createdAt,
    ...(document.lastUsedAt !== undefined && document.lastUsedAt !== null
      ? { lastUsedAt: document.lastUsedAt }
      : {}),
    ...(document.revokedAt !== undefined && document.revokedAt !== null
      ? { revokedAt: document.revokedAt }
      : {}),
  };
}

/**
 * Apps and their API keys (collections `apps` and `api_keys`). A key is stored only as its SHA-256
 * hash and visible prefix: it is shown once, when created, and can never be read back.
 */
export class AppStore {
  private readonly apps: Model<AppDocument>;
  private readonly keys: Model<ApiKeyDocument>;

  constructor(
    connection: Connection,
    private readonly clock: () => number = Date.now,
  ) {
    this.apps = connection.model<AppDocument>('App', appSchema);
    this.keys = connection.model<ApiKeyDocument>('ApiKey', apiKeySchema);
  }

  /** Creates the collections' indexes (the unique key hash among them); idempotent. */
  async ensureIndexes(): Promise<void> {
    await Promise.all([
      this.apps.createCollection().catch(() => undefined),
      this.keys.createIndexes(),
    ]);
  }

  /** A new app and its first API key. Throws a RangeError for a name {@link appNameProblem} refuses. */
  async createApp(name: string): Promise<{ app: App; webhookSecret: string } & CreatedApiKey> {
    const problem = appNameProblem(name);
    if (problem !== undefined) throw new RangeError(problem);
    const app: App = { id: newId('app'), name: name.trim(), createdAt: this.clock() };
    const webhookSecret = generateWebhookSecret();
    await this.apps.create({
      _id: app.id,
      name: app.name,
      createdAt: app.createdAt,
      webhookSecret,
    });
    try {
      const created = await this.insertKey(app.id);
      return { app, webhookSecret, ...created };
    } catch (error) {
      // An app nobody holds a key to is useless: take it back rather than leave half of it.
      await this.apps.deleteOne({ _id: app.id }).catch(() => undefined);
      throw error;
    }
  }

  /** Every app, oldest first. */
  async listApps(): Promise<App[]> {
    const documents = await this.apps
      .find({}, { webhookSecret: 0 })
      .sort({ createdAt: 1, _id: 1 })
      .lean();
    return documents.map((document) => ({
      id: document._id,
      name: document.name,
      createdAt: document.createdAt,
    }));
  }

  /** The app, or undefined. */
  async getApp(appId: string): Promise<App | undefined> {
    const document = await this.apps.findById(appId).lean();
    return document
      ? { id: document._id, name: document.name, createdAt: document.createdAt }
      : undefined;
  }

  /**
   * The secret that signs the app's outgoing webhooks; an app made before secrets existed gets one
   * now, once, however many callers ask at the same time. Undefined when there is no such app.
   */
  async webhookSecret(appId: string): Promise<string | undefined> {
    const found = await this.apps.findById(appId).lean();
    if (!found) return undefined;
    if (found.webhookSecret) return found.webhookSecret;
    await this.apps.updateOne(
      { _id: appId, webhookSecret: { $exists: false } },
      { $set: { webhookSecret: generateWebhookSecret() } },
    );
    return (await this.apps.findById(appId).lean())?.webhookSecret;
  }

  /**
   * A new key for an existing app; undefined when there is no such app. With `maxWorking`, throws
   * {@link KeyLimitError} rather than give the app more working keys than that. Racing requests
   * each insert their key, then count the working keys made before it (by creation time, then
   * id): a key with `maxWorking` of them ahead is taken back. So the earliest keys keep their
   * places, and the limit is never passed.
   */
  async createKey(
    appId: string,
    options: { maxWorking?: number } = {},
  ): Promise<CreatedApiKey | undefined> {
    if (!(await this.getApp(appId))) return undefined;
    const { maxWorking } = options;
    const working = { appId, revokedAt: { $exists: false } };
    if (maxWorking !== undefined && (await this.keys.countDocuments(working)) >= maxWorking) {
      throw new KeyLimitError(maxWorking);
    }
    const created = await this.insertKey(appId);
    if (maxWorking === undefined) return created;
    const { id, createdAt } = created.key;
    const ahead = await this.keys.countDocuments({
      ...working,
      $or: [{ createdAt: { $lt: createdAt } }, { createdAt, _id: { $lt: id } }],
    });
    if (ahead >= maxWorking) {
      await this.keys.deleteOne({ _id: id });
      throw new KeyLimitError(maxWorking);
    }
    return created;
  }

  /** Which of `keyIds` are revoked or gone: streams opened with them must end. */
  async revokedAmong(keyIds: readonly string[]): Promise<string[]> {
    if (keyIds.length === 0) return [];
    const working = await this.keys
      .find({ _id: { $in: keyIds }, revokedAt: { $exists: false } }, { _id: 1 })
      .lean();
    const alive = new Set(working.map((key) => key._id));
    return keyIds.filter((id) => !alive.has(id));
  }

  /** The app's keys, oldest first, revoked ones included. */
  async listKeys(appId: string): Promise<ApiKeyInfo[]> {
    const documents = await this.keys.find({ appId }).sort({ _id: 1 }).lean();
    return documents.map(keyInfo);
  }

  /**
   * Revokes one of the app's keys: requests with it fail from now on. Revoking a revoked key
   * changes nothing. Undefined when the app has no such key.
   */
  async revokeKey(appId: string, keyId: string): Promise<ApiKeyInfo | undefined> {
    const revoked = await this.keys
      .findOneAndUpdate(
        { _id: keyId, appId, revokedAt: { $exists: false } },
        { $set: { revokedAt: this.clock() } },
        { returnDocument: 'after' },
      )
      .lean();
    if (revoked) return keyInfo(revoked);
    const existing = await this.keys.findOne({ _id: keyId, appId }).lean();
    return existing ? keyInfo(existing) : undefined;
  }

  /**
   * The app and key a raw API key stands for; undefined when it is malformed, unknown or revoked.
   * One indexed lookup by hash, so no constant-time comparison is needed.
   */
  async authenticate(rawKey: string): Promise<ApiKeyPrincipal | undefined> {
    if (apiKeyPrefix(rawKey) === undefined) return undefined;
    const document = await this.keys.findOne({ hash: hashApiKey(rawKey) }).lean();
    if (!document || (document.revokedAt !== undefined && document.revokedAt !== null)) {
      return undefined;
    }
    const now = this.clock();
    if (document.lastUsedAt == null || document.lastUsedAt <= now - LAST_USED_RESOLUTION_MS) {
      await this.keys.updateOne(
        {
          _id: document._id,
          $or: [
            { lastUsedAt: { $exists: false } },
            { lastUsedAt: { $lte: now - LAST_USED_RESOLUTION_MS } },
          ],
        },
        { $set: { lastUsedAt: now } },
      );
    }
    return { appId: document.appId, keyId: document._id };
  }

  private async insertKey(appId: string): Promise<CreatedApiKey> {
    const generated = generateApiKey();
    const document: ApiKeyDocument = {
      _id: newId('key'),
      appId,
      prefix: generated.prefix,
      hash: generated.hash,
      createdAt: this.clock(),
    };
    await this.keys.create(document);
    return { key: keyInfo(document), apiKey: generated.raw };
  }
}
