import { MAX_WEBHOOK_ENDPOINTS } from '@weft/contract';
import { generateWebhookSecret } from '@weft/webhooks';
import { Schema, type Connection, type Model } from 'mongoose';
import { newId } from './ids';

/** How long a rotated-out secret still signs, so receivers can switch without losing messages. */
export const SECRET_ROTATION_GRACE_MS = 24 * 3600 * 1000;

/** An endpoint as the API shows it: never its secrets. */
export interface WebhookEndpoint {
  /** `wh_…`. */
  id: string;
  url: string;
  /** Events it receives; empty: every event. */
  events: string[];
  description?: string;
  enabled: boolean;
  /** Why it was switched off, e.g. `gone` after a 410. */
  disabledReason?: string;
  createdAt: number;
  updatedAt: number;
}

/** An endpoint with the secrets that sign its deliveries, newest first. */
export interface SigningEndpoint extends WebhookEndpoint {
  secrets: string[];
}

interface SecretEntry {
  secret: string;
  createdAt: number;
  /** Absent: current. Set when rotated out. */
  expiresAt?: number;
}

interface EndpointDocument {
  _id: string;
  appId: string;
  url: string;
  events: string[];
  description?: string;
  secrets: SecretEntry[];
  disabledReason?: string;
  createdAt: number;
  updatedAt: number;
}

const endpointSchema = new Schema<EndpointDocument>(
  {
    _id: { type: String, required: true },
    appId: { type: String, required: true },
    url: { type: String, required: true },
    events: { type: [String], required: true },
    description: String,
    secrets: {
      type: [{ secret: String, createdAt: Number, expiresAt: Number, _id: false }],
      required: true,
    },
    disabledReason: String,
    createdAt: { type: Number, required: true },
    updatedAt: { type: Number, required: true },
  },
  { versionKey: false, collection: 'webhook_endpoints' },
);
endpointSchema.index({ appId: 1, _id: 1 });

function view(document: EndpointDocument): WebhookEndpoint {
  return {
    id: document._id,
    url: document.url,
    events: [...document.events],
    ...(document.description ? { description: document.description } : {}),
    enabled: !document.disabledReason,
    ...(document.disabledReason ? { disabledReason: document.disabledReason } : {}),
    createdAt: document.createdAt,
    updatedAt: document.updatedAt,
  };
}

/** The secrets that sign now: the current one first, then rotated-out ones still in grace. */
function activeSecrets(document: EndpointDocument, now: number): string[] {
  return document.secrets
    .filter(
      (entry) => entry.expiresAt === undefined || entry.expiresAt === null || entry.expiresAt > now,
    )
    .sort((a, b) => b.createdAt - a.createdAt)
    .map((entry) => entry.secret);
}

/** Too many endpoints for one app. */
export class WebhookEndpointLimitError extends Error {
  override name = 'WebhookEndpointLimitError';
}

/**
 * An app's webhook endpoints (collection `webhook_endpoints`): where run events and `emit_webhook`
 * messages go, each signed with the endpoint's own `whsec_` secret. Secrets are shown when made
 * (create, rotate) and otherwise only used to sign.
 */
export class WebhookEndpointStore {
  private readonly endpoints: Model<EndpointDocument>;

  constructor(
    connection: Connection,
    private readonly clock: () => number = Date.now,
  ) {
    this.endpoints = connection.model<EndpointDocument>('WebhookEndpoint', endpointSchema);
  }

  async ensureIndexes(): Promise<void> {
    await this.endpoints.createIndexes();
  }

  async create(
    appId: string,
    input: { url: string; events: string[]; description?: string },
  ): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    if ((await this.endpoints.countDocuments({ appId })) >= MAX_WEBHOOK_ENDPOINTS) {
      throw new WebhookEndpointLimitError(
        `an app may have at most ${MAX_WEBHOOK_ENDPOINTS} webhook endpoints`,
      );
    }
    const now = this.clock();
    const secret = generateWebhookSecret();
    const document: EndpointDocument = {
      _id: newId('wh'),
      appId,
      url: input.url,
      events: [...new Set(input.events)],
      ...(input.description ? { description: input.description } : {}),
      secrets: [{ secret, createdAt: now }],
      createdAt: now,
      updatedAt: now,
    };
    await this.endpoints.create(document);
    return { endpoint: view(document), secret };
  }

  async list(appId: string): Promise<WebhookEndpoint[]> {
    const found = await this.endpoints.find({ appId }).sort({ _id: 1 }).lean<EndpointDocument[]>();
    return found.map(view);
  }

  async get(appId: string, id: string): Promise<WebhookEndpoint | undefined> {
    const found = await this.endpoints.findOne({ _id: id, appId }).lean<EndpointDocument>();
    return found ? view(found) : undefined;
  }

  /** Changes url, events, description, or switches it on or off; undefined when not found. */
  async update(
    appId: string,
    id: string,
    change: { url?: string; events?: string[]; description?: string; enabled?: boolean },
  ): Promise<WebhookEndpoint | undefined> {
    const set: Partial<EndpointDocument> = { updatedAt: this.clock() };
    if (change.url !== undefined) set.url = change.url;
    if (change.events !== undefined) set.events = [...new Set(change.events)];
    if (change.description !== undefined) set.description = change.description;
    const update: Record<string, unknown> = { $set: set };
    if (change.enabled === true) update.$unset = { disabledReason: 1 };
    if (change.enabled === false) set.disabledReason = 'disabled';
    const updated = await this.endpoints
      .findOneAndUpdate({ _id: id, appId }, update, { returnDocument: 'after' })
      .lean<EndpointDocument>();
    return updated ? view(updated) : undefined;
  }

  async delete(appId: string, id: string): Promise<boolean> {
    return (await this.endpoints.deleteOne({ _id: id, appId })).deletedCount === 1;
  }

  /**
   * A new secret for the endpoint. The old one keeps signing (a second signature) for `graceMs`,
   * so a receiver can switch without rejecting messages in between.
   */
  async rotateSecret(
    appId: string,
    id: string,
    graceMs = SECRET_ROTATION_GRACE_MS,
  ): Promise<{ endpoint: WebhookEndpoint; secret: string } | undefined> {
    const found = await this.endpoints.findOne({ _id: id, appId }).lean<EndpointDocument>();
    if (!found) return undefined;
    const now = this.clock();
    const secret = generateWebhookSecret();
    const secrets = [
      { secret, createdAt: now },
      ...found.secrets
        .filter(
          (entry) =>
            entry.expiresAt === undefined || entry.expiresAt === null || entry.expiresAt > now,
        )
        .map((entry) => ({
          ...entry,
          expiresAt: Math.min(entry.expiresAt ?? Infinity, now + graceMs),
        })),
    ];
    const updated = await this.endpoints
      .findOneAndUpdate(
        { _id: id, appId },
        { $set: { secrets, updatedAt: now } },
        { returnDocument: 'after' },
      )
      .lean<EndpointDocument>();
    return updated ? { endpoint: view(updated), secret } : undefined;
  }

  /** The app's enabled endpoints that receive `event`, with the secrets to sign with. */
  async forEvent(appId: string, event: string): Promise<SigningEndpoint[]> {
    const found = await this.endpoints.find({ appId }).sort({ _id: 1 }).lean<EndpointDocument[]>();
    const now = this.clock();
    return found
      .filter((document) => !document.disabledReason)
      .filter((document) => document.events.length === 0 || document.events.includes(event))
      .map((document) => ({ ...view(document), secrets: activeSecrets(document, now) }));
  }

  /** One endpoint with its signing secrets, enabled or not; for a delivery's next attempt. */
  async signing(appId: string, id: string): Promise<SigningEndpoint | undefined> {
    const found = await this.endpoints.findOne({ _id: id, appId }).lean<EndpointDocument>();
    return found ? { ...view(found), secrets: activeSecrets(found, this.clock()) } : undefined;
  }

  /** Switches an endpoint off for good reason (a 410 Gone); the app may switch it on again. */
  async disable(appId: string, id: string, reason: string): Promise<void> {
    await this.endpoints.updateOne(
      { _id: id, appId },
      { $set: { disabledReason: reason, updatedAt: this.clock() } },
    );
  }
}
