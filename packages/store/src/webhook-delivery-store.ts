import type { DELIVERY_STATUSES } from '@weft/contract';
import { createHash } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';

/** One try at delivering, as the log shows it. */
export interface DeliveryAttempt {
  /** Epoch ms the attempt started. */
  at: number;
  durationMs: number;
  /** The receiver's HTTP status, when it answered. */
  status?: number;
  /** Why there was no answer (timeout, refused address…). */
  error?: { code: string; message: string };
  /** The start of the receiver's answer, for debugging a failing endpoint. */
  response?: string;
}

/** `pending` waits for its next attempt; `delivered` and `failed` are final. */
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** A message for one receiver, with every attempt made to deliver it. */
export interface WebhookDelivery {
  /** `whd_…`. */
  id: string;
  appId: string;
  runId: string;
  /** e.g. `run.completed`. */
  event: string;
  /** The `webhook-id` header: the same on every attempt, so receivers can drop repeats. */
  messageId: string;
  /** The app's endpoint; absent for the run's own `webhookUrl`. */
  endpointId?: string;
  url: string;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  /** When a pending delivery is next tried. */
  nextAttemptAt?: number;
  /** Why a failed delivery stopped, e.g. `attempts_exhausted`, `endpoint_gone`. */
  failure?: string;
  createdAt: number;
  updatedAt: number;
}

interface DeliveryDocument extends Omit<WebhookDelivery, 'id'> {
  _id: string;
  /** The JSON body, fixed when the delivery was made: every attempt signs the same bytes. */
  body: string;
  /** A claimed delivery is someone's until then; after it, another dispatcher may take it. */
  leaseUntil?: number;
  /**
   * When a dispatcher should next take the delivery: `nextAttemptAt` while pending, `leaseUntil`
   * while delivering, absent once it ended. The one field `claimDue` reads, indexed sparsely,
   * so finding due deliveries reads the live ones only, however many ended before.
   */
  dueAt?: number;
}

const deliverySchema = new Schema<DeliveryDocument>(
  {
    _id: { type: String, required: true },
    appId: { type: String, required: true },
    runId: { type: String, required: true },
    event: { type: String, required: true },
    messageId: { type: String, required: true },
    endpointId: String,
    url: { type: String, required: true },
    status: { type: String, required: true },
    attempts: { type: Schema.Types.Mixed, required: true },
    nextAttemptAt: Number,
    failure: String,
    body: { type: String, required: true },
    leaseUntil: Number,
    dueAt: Number,
    createdAt: { type: Number, required: true },
    updatedAt: { type: Number, required: true },
  },
  { versionKey: false, collection: 'webhook_deliveries' },
);
deliverySchema.index({ dueAt: 1 }, { sparse: true });
deliverySchema.index({ appId: 1, endpointId: 1, createdAt: -1 });
deliverySchema.index({ appId: 1, runId: 1 });

function view(document: DeliveryDocument): WebhookDelivery {
  const { _id, body: _body, leaseUntil: _lease, dueAt: _due, ...rest } = document;
  return { id: _id, ...rest, attempts: [...(rest.attempts ?? [])] };
}

/** The id of the message for one event: one `webhook-id`, whoever receives it and however often. */
export function webhookMessageId(eventId: string): string {
  return `msg_${createHash('sha256').update(eventId).digest('base64url').slice(0, 27)}`;
}

/**
 * Webhook deliveries (collection `webhook_deliveries`) and their attempt logs. A delivery is made
 * once per event and receiver (its id derives from both, so a redelivered event adds nothing),
 * claimed with a lease by one dispatcher at a time, and kept with its attempts for the API.
 */
export class WebhookDeliveryStore {
  private readonly deliveries: Model<DeliveryDocument>;

  constructor(
    connection: Connection,
    private readonly clock: () => number = Date.now,
  ) {
    this.deliveries = connection.model<DeliveryDocument>('WebhookDelivery', deliverySchema);
  }

  async ensureIndexes(): Promise<void> {
    await this.deliveries.createIndexes();
    await this.giveDueTimes();
  }

  /**
   * Gives `dueAt` to live deliveries made before the field existed, so none is left waiting. Reads
   * the collection once at start; a no-op on deliveries made since.
   */
  private async giveDueTimes(): Promise<void> {
    const undated = await this.deliveries
      .find({ status: { $in: ['pending', 'delivering'] }, dueAt: { $exists: false } })
      .select({ status: 1, nextAttemptAt: 1, leaseUntil: 1 })
      .lean<Pick<DeliveryDocument, '_id' | 'status' | 'nextAttemptAt' | 'leaseUntil'>[]>();
    for (const delivery of undated) {
      const dueAt =
        (delivery.status === 'pending' ? delivery.nextAttemptAt : delivery.leaseUntil) ??
        this.clock();
      await this.deliveries.updateOne(
        { _id: delivery._id, status: delivery.status, dueAt: { $exists: false } },
        { $set: { dueAt } },
      );
    }
  }

  /** Makes the delivery of event `eventId` to one receiver, unless it exists; returns its id. */
  async enqueue(input: {
    eventId: string;
    appId: string;
    runId: string;
    event: string;
    endpointId?: string;
    url: string;
    body: string;
  }): Promise<string> {
    const receiver = input.endpointId ?? `run:${input.url}`;
    const id = `whd_${createHash('sha256').update(`${input.eventId}\n${receiver}`).digest('hex').slice(0, 24)}`;
    const now = this.clock();
    await this.deliveries
      .updateOne(
        { _id: id },
        {
          $setOnInsert: {
            appId: input.appId,
            runId: input.runId,
            event: input.event,
            messageId: webhookMessageId(input.eventId),
            ...(input.endpointId !== undefined ? { endpointId: input.endpointId } : {}),
            url: input.url,
            status: 'pending',
            attempts: [],
            nextAttemptAt: now,
            dueAt: now,
            body: input.body,
            createdAt: now,
            updatedAt: now,
          },
        },
        { upsert: true },
      )
      .catch((error: unknown) => {
        // Two dispatchers inserting the same delivery at once: the other one won, which is fine.
        if ((error as { code?: unknown }).code !== 11000) throw error;
      });
    return id;
  }

  /**
   * Takes one delivery that is due (or whose previous holder's lease ran out) for `leaseMs`, with
   * its body; undefined when none is due.
   */
  async claimDue(leaseMs: number): Promise<(WebhookDelivery & { body: string }) | undefined> {
    const now = this.clock();
    const claimed = await this.deliveries
      .findOneAndUpdate(
        { dueAt: { $lte: now } },
        {
          $set: {
            status: 'delivering',
            leaseUntil: now + leaseMs,
            dueAt: now + leaseMs,
            updatedAt: now,
          },
        },
        { sort: { dueAt: 1 }, returnDocument: 'after' },
      )
      .lean<DeliveryDocument>();
    return claimed ? { ...view(claimed), body: claimed.body } : undefined;
  }

  /**
   * Records an attempt of a claimed delivery and what follows: delivered, failed for good, or
   * pending again at `nextAttemptAt`.
   */
  async recordAttempt(
    id: string,
    attempt: DeliveryAttempt,
    outcome:
      | { status: 'delivered' }
      | { status: 'failed'; failure: string }
      | { status: 'pending'; nextAttemptAt: number },
  ): Promise<void> {
    await this.deliveries.updateOne(
      { _id: id },
      {
        $push: { attempts: attempt },
        $set: {
          status: outcome.status,
          updatedAt: this.clock(),
          ...(outcome.status === 'pending'
            ? { nextAttemptAt: outcome.nextAttemptAt, dueAt: outcome.nextAttemptAt }
            : {}),
          ...(outcome.status === 'failed' ? { failure: outcome.failure } : {}),
        },
        $unset: {
          leaseUntil: 1,
          ...(outcome.status === 'pending' ? {} : { nextAttemptAt: 1, dueAt: 1 }),
          ...(outcome.status === 'failed' ? {} : { failure: 1 }),
        },
      },
    );
  }

  /** Ends a claimed delivery without an attempt (its endpoint was deleted or switched off). */
  async abandon(id: string, failure: string): Promise<void> {
    await this.deliveries.updateOne(
      { _id: id },
      {
        $set: { status: 'failed', failure, updatedAt: this.clock() },
        $unset: { leaseUntil: 1, nextAttemptAt: 1, dueAt: 1 },
      },
    );
  }

  /** Sends a delivery again now, whatever its state, under the same `webhook-id`. */
  async resend(appId: string, id: string): Promise<WebhookDelivery | undefined> {
    const now = this.clock();
    const updated = await this.deliveries
      .findOneAndUpdate(
        { _id: id, appId, status: { $ne: 'delivering' } },
        {
          $set: { status: 'pending', nextAttemptAt: now, dueAt: now, updatedAt: now },
          $unset: { failure: 1 },
        },
        { returnDocument: 'after' },
      )
      .lean<DeliveryDocument>();
    if (updated) return view(updated);
    return this.get(appId, id);
  }

  async get(appId: string, id: string): Promise<WebhookDelivery | undefined> {
    const found = await this.deliveries.findOne({ _id: id, appId }).lean<DeliveryDocument>();
    return found ? view(found) : undefined;
  }

  /** An endpoint's deliveries, newest first (at most `limit`). */
  async forEndpoint(appId: string, endpointId: string, limit: number): Promise<WebhookDelivery[]> {
    const found = await this.deliveries
      .find({ appId, endpointId })
      .sort({ createdAt: -1, _id: 1 })
      .limit(limit)
      .lean<DeliveryDocument[]>();
    return found.map(view);
  }

  /** A run's deliveries, oldest first. */
  async forRun(appId: string, runId: string): Promise<WebhookDelivery[]> {
    const found = await this.deliveries
      .find({ appId, runId })
      .sort({ createdAt: 1, _id: 1 })
      .lean<DeliveryDocument[]>();
    return found.map(view);
  }
}
