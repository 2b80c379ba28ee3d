import { RESULT_COLLECTION_PATTERN } from '@weft/contract';
import { Schema, type Connection, type Model } from 'mongoose';
import { newId } from './ids';
import { isDuplicateKey } from './duplicate-key';

/** A document a run stored with `store_results`, as the API shows it. */
export interface StoredResult {
  /** `res_…`. */
  id: string;
  collection: string;
  document: Record<string, unknown>;
  runId?: string;
  nodeId?: string;
  createdAt: number;
}

interface ResultDocument {
  _id: string;
  appId: string;
  collection: string;
  /** JSON text: documents may hold keys MongoDB will not take as field names (`$x`, `a.b`). */
  document: string;
  runId?: string;
  nodeId?: string;
  /** Unique per app: a redelivered step's write (keyed by its run and node) happens once. */
  writeKey: string;
  createdAt: number;
}

const resultSchema = new Schema<ResultDocument>(
  {
    _id: { type: String, required: true },
    appId: { type: String, required: true },
    collection: { type: String, required: true },
    document: { type: String, required: true },
    runId: String,
    nodeId: String,
    writeKey: { type: String, required: true },
    createdAt: { type: Number, required: true },
  },
  { versionKey: false, collection: 'app_results', suppressReservedKeysWarning: true },
);
resultSchema.index({ appId: 1, collection: 1, _id: -1 });
resultSchema.index({ appId: 1, writeKey: 1 }, { unique: true });

function toResult(document: ResultDocument): StoredResult {
  return {
    id: document._id,
    collection: document.collection,
    document: JSON.parse(document.document) as Record<string, unknown>,
    ...(document.runId ? { runId: document.runId } : {}),
    ...(document.nodeId ? { nodeId: document.nodeId } : {}),
    createdAt: document.createdAt,
  };
}

/**
 * The named collections an app's runs write with `store_results` (one MongoDB collection,
 * `app_results`, partitioned by app and name), read back page by page over the API.
 */
export class ResultStore {
  private readonly results: Model<ResultDocument>;

  constructor(
    connection: Connection,
    private readonly clock: () => number = Date.now,
  ) {
    this.results = connection.model<ResultDocument>('AppResult', resultSchema);
  }

  async ensureIndexes(): Promise<void> {
    await this.results.createIndexes();
  }

  /**
   * Stores a document. With `writeKey` (the step's run and node), storing again returns the first
   * write instead of adding a second copy: a redelivered step does not duplicate its output.
   */
  async insert(input: {
    appId: string;
    collection: string;
    document: Record<string, unknown>;
    runId?: string;
    nodeId?: string;
    writeKey?: string;
  }): Promise<StoredResult> {
    if (!RESULT_COLLECTION_PATTERN.test(input.collection)) {
      throw new RangeError(`"${input.collection}" is not a collection name`);
    }
    const id = newId('res');
    const document: ResultDocument = {
      _id: id,
      appId: input.appId,
      collection: input.collection,
      document: JSON.stringify(input.document),
      ...(input.runId !== undefined ? { runId: input.runId } : {}),
      ...(input.nodeId !== undefined ? { nodeId: input.nodeId } : {}),
      writeKey: input.writeKey ?? id,
      createdAt: this.clock(),
    };
    try {
      await this.results.insertMany([document], { lean: true });
      return toResult(document);
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const existing = await this.results
        .findOne({ appId: input.appId, writeKey: document.writeKey })
        .lean<ResultDocument>();
      if (!existing) throw error;
      return toResult(existing);
    }
  }

  /** One document of the app's collection, or undefined. */
  async get(appId: string, collection: string, id: string): Promise<StoredResult | undefined> {
    const found = await this.results.findOne({ _id: id, appId, collection }).lean<ResultDocument>();
    return found ? toResult(found) : undefined;
  }

  /** A page of the collection, newest first; `nextCursor` continues it. */
  async list(
    appId: string,
    collection: string,
    page: { limit: number; cursor?: string },
  ): Promise<{ documents: StoredResult[]; nextCursor?: string }> {
    const filter: Record<string, unknown> = { appId, collection };
    if (page.cursor !== undefined) filter._id = { $lt: page.cursor };
    const found = await this.results
      .find(filter)
      .sort({ _id: -1 })
      .limit(page.limit + 1)
      .lean<ResultDocument[]>();
    const documents = found.slice(0, page.limit).map(toResult);
    const last = documents.at(-1);
    return found.length > page.limit && last ? { documents, nextCursor: last.id } : { documents };
  }
}
