import { MAX_VECTOR_DIMENSIONS } from '@weft/contract';
import { Schema, type Connection, type Model } from 'mongoose';

/** An item of a vector index: its id, its vector, and what it stands for. */
export interface VectorItem {
  id: string;
  vector: readonly number[];
  metadata?: Record<string, unknown>;
}

/** A search hit: cosine similarity in [-1, 1], higher is nearer. */
export interface VectorMatch {
  id: string;
  score: number;
  metadata?: Record<string, unknown>;
}

/** A vector that does not fit its index; the message says why. */
export class VectorMismatchError extends Error {
  override name = 'VectorMismatchError';
  readonly code = 'dimension_mismatch';
}

interface VectorDocument {
  /** `<appId>/<index>/<itemId>`: one item per id, so writing again replaces it. */
  _id: string;
  appId: string;
  index: string;
  itemId: string;
  vector: number[];
  dimensions: number;
  /** JSON text: metadata keys need not be valid MongoDB field names. */
  metadata?: string;
  updatedAt: number;
}

const vectorSchema = new Schema<VectorDocument>(
  {
    _id: { type: String, required: true },
    appId: { type: String, required: true },
    index: { type: String, required: true },
    itemId: { type: String, required: true },
    vector: { type: [Number], required: true },
    dimensions: { type: Number, required: true },
    metadata: String,
    updatedAt: { type: Number, required: true },
  },
  { versionKey: false, collection: 'vector_items' },
);
vectorSchema.index({ appId: 1, index: 1 });

function norm(vector: readonly number[]): number {
  let sum = 0;
  for (const value of vector) sum += value * value;
  return Math.sqrt(sum);
}

function checkVector(vector: readonly number[]): void {
  if (vector.length === 0 || vector.length > MAX_VECTOR_DIMENSIONS) {
    throw new VectorMismatchError(
      `a vector needs 1 to ${MAX_VECTOR_DIMENSIONS} dimensions, not ${vector.length}`,
    );
  }
  if (!vector.every(Number.isFinite)) {
    throw new VectorMismatchError('a vector holds finite numbers only');
  }
}

/**
 * Vectors per app and index (collection `vector_items`), searched by cosine similarity.
 *
 * Search is a plain scan of the index: exact, and fine up to some tens of thousands of items per
 * index; past that it wants an approximate index (Atlas Vector Search, HNSW), which this store does
 * not yet have.
 */
export class VectorStore {
  private readonly items: Model<VectorDocument>;

  constructor(
    connection: Connection,
    private readonly clock: () => number = Date.now,
  ) {
    this.items = connection.model<VectorDocument>('VectorItem', vectorSchema);
  }

  async ensureIndexes(): Promise<void> {
    await this.items.createIndexes();
  }

  /** Adds or replaces an item. Every vector of an index has the dimensions of its first. */
  async upsert(appId: string, index: string, item: VectorItem): Promise<void> {
    checkVector(item.vector);
    const existing = await this.items
      .findOne({ appId, index, _id: { $ne: `${appId}/${index}/${item.id}` } })
      .select({ dimensions: 1 })
      .lean<Pick<VectorDocument, 'dimensions'>>();
    if (existing && existing.dimensions !== item.vector.length) {
      throw new VectorMismatchError(
        `index "${index}" holds ${existing.dimensions}-dimensional vectors; this one has ${item.vector.length}`,
      );
    }
    const document: VectorDocument = {
      _id: `${appId}/${index}/${item.id}`,
      appId,
      index,
      itemId: item.id,
      vector: [...item.vector],
      dimensions: item.vector.length,
      ...(item.metadata !== undefined ? { metadata: JSON.stringify(item.metadata) } : {}),
      updatedAt: this.clock(),
    };
    await this.items.replaceOne({ _id: document._id }, document, { upsert: true });
  }

  /** The `topK` items nearest to `vector`, nearest first; ties keep the lower id first. */
  async search(
    appId: string,
    index: string,
    vector: readonly number[],
    topK: number,
  ): Promise<VectorMatch[]> {
    checkVector(vector);
    const queryNorm = norm(vector);
    const best: { id: string; score: number; metadata?: string }[] = [];
    const cursor = this.items
      .find({ appId, index })
      .select({ itemId: 1, vector: 1, metadata: 1 })
      .lean<VectorDocument>()
      .cursor({ batchSize: 500 });
    for await (const item of cursor as AsyncIterable<VectorDocument>) {
      if (item.vector.length !== vector.length) {
        await cursor.close();
        throw new VectorMismatchError(
          `index "${index}" holds ${item.vector.length}-dimensional vectors; the query has ${vector.length}`,
        );
      }
      const score = cosine(vector, queryNorm, item.vector);
      if (best.length === topK && !outranks(score, item.itemId, best[best.length - 1]!)) continue;
      const at = best.findIndex((entry) => outranks(score, item.itemId, entry));
      best.splice(at === -1 ? best.length : at, 0, {
        id: item.itemId,
        score,
        ...(item.metadata !== undefined ? { metadata: item.metadata } : {}),
      });
      if (best.length > topK) best.pop();
    }
    return best.map((entry) => ({
      id: entry.id,
      score: entry.score,
      ...(entry.metadata !== undefined
        ? { metadata: JSON.parse(entry.metadata) as Record<string, unknown> }
        : {}),
    }));
  }
}

function cosine(query: readonly number[], queryNorm: number, item: readonly number[]): number {
  let dot = 0;
  for (let i = 0; i < query.length; i++) dot += query[i]! * item[i]!;
  const denominator = queryNorm * norm(item);
  return denominator === 0 ? 0 : dot / denominator;
}

function outranks(score: number, id: string, other: { id: string; score: number }): boolean {
  return score > other.score || (score === other.score && id < other.id);
}
