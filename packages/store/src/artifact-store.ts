import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { mongo, type Connection } from 'mongoose';
import { newId } from './ids';

/** An artifact's facts: enough to serve it and to say where it came from. */
export interface ArtifactInfo {
  /** `art_…`. */
  id: string;
  appId: string;
  contentType: string;
  /** Bytes. */
  size: number;
  /** Hex SHA-256 of the content. */
  sha256: string;
  /** The run and node that made it, when a step did. */
  runId?: string;
  nodeId?: string;
  createdAt: number;
}

/** What to store: the bytes and who they belong to. */
export interface NewArtifact {
  appId: string;
  bytes: Buffer;
  contentType: string;
  runId?: string;
  nodeId?: string;
}

/** What to store from a stream: the bytes as they arrive, and who they belong to. */
export interface NewArtifactStream extends Omit<NewArtifact, 'bytes'> {
  /**
   * The bytes. An error from it (a broken-off upload, a limit the caller enforces) abandons the
   * artifact: nothing of it is kept, and `putStream` rejects with that error.
   */
  content: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
}

/**
 * Large step outputs (images, audio, video, long text) kept out of line, so a run document holds a
 * reference and never megabytes. Every read is scoped to the app that owns the artifact.
 */
export interface ArtifactStore {
  put(artifact: NewArtifact): Promise<ArtifactInfo>;
  /**
   * Stores bytes as they arrive, for uploads too large to hold; the artifact exists only once all
   * of them are stored, and a failure leaves nothing behind.
   */
  putStream(artifact: NewArtifactStream): Promise<ArtifactInfo>;
  /** The artifact and a stream of its bytes, or undefined when the app has no such artifact. */
  open(appId: string, id: string): Promise<{ info: ArtifactInfo; content: Readable } | undefined>;
}

/** Reads a whole artifact; for steps that need the bytes in hand (enrich, transcribe). */
export async function readArtifact(
  store: ArtifactStore,
  appId: string,
  id: string,
): Promise<{ info: ArtifactInfo; bytes: Buffer } | undefined> {
  const opened = await store.open(appId, id);
  if (!opened) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of opened.content) chunks.push(chunk as Buffer);
  return { info: opened.info, bytes: Buffer.concat(chunks) };
}

/** The artifact id syntax, for routes and for recognising our own URLs. */
export const ARTIFACT_ID_PATTERN = /^art_[0-9a-z]{22}$/;

interface GridFsMetadata {
  artifactId: string;
  appId: string;
  contentType: string;
  sha256: string;
  runId?: string;
  nodeId?: string;
}

/**
 * Artifacts in MongoDB GridFS (bucket `artifacts`): the default store, nothing else to run. The
 * file name is the artifact id; the owning app is in the metadata and every lookup filters on it.
 */
export class GridFsArtifactStore implements ArtifactStore {
  private readonly bucket: mongo.GridFSBucket;

  constructor(
    private readonly connection: Connection,
    private readonly clock: () => number = Date.now,
  ) {
    const db = connection.db;
    if (!db) throw new Error('GridFsArtifactStore needs a connected database');
    this.bucket = new mongo.GridFSBucket(db, { bucketName: 'artifacts' });
  }

  async ensureIndexes(): Promise<void> {
    await this.connection
      .collection('artifacts.files')
      .createIndex({ filename: 1, 'metadata.appId': 1 });
  }

  put(artifact: NewArtifact): Promise<ArtifactInfo> {
    const { bytes, ...rest } = artifact;
    return this.putStream({ ...rest, content: [bytes] });
  }

  async putStream(artifact: NewArtifactStream): Promise<ArtifactInfo> {
    const id = newId('art');
    const metadata: GridFsMetadata = {
      artifactId: id,
      appId: artifact.appId,
      contentType: artifact.contentType,
      sha256: '',
      ...(artifact.runId !== undefined ? { runId: artifact.runId } : {}),
      ...(artifact.nodeId !== undefined ? { nodeId: artifact.nodeId } : {}),
    };
    const upload = this.bucket.openUploadStream(id, { metadata });
    // Failures reach us through the callbacks below; without a listener the event would throw.
    upload.on('error', () => undefined);
    const hash = createHash('sha256');
    let size = 0;
    try {
      for await (const chunk of artifact.content) {
        hash.update(chunk);
        size += chunk.length;
        // One write at a time, each awaited until the chunks it filled are inserted: the source
        // is read no faster than the database takes it, and no insert is in flight on a failure.
        await new Promise<void>((resolve, reject) =>
          upload.write(chunk, (error) => (error ? reject(error) : resolve())),
        );
      }
      // GridFS writes the files document, which makes the artifact exist, after the last chunk,
      // from this metadata object: only now is the hash of all the bytes known.
      metadata.sha256 = hash.digest('hex');
      await new Promise<void>((resolve, reject) => {
        upload.once('finish', () => resolve());
        upload.once('error', reject);
        upload.end();
      });
    } catch (error) {
      upload.destroy();
      // The chunks written so far. Without a files document no read finds them anyway, so a
      // failure to delete them (the database gone too) hides nothing from anyone.
      await this.bucket.delete(upload.id).catch(() => undefined);
      throw error;
    }
    if (upload.gridFSFile?.metadata?.sha256 !== metadata.sha256) {
      // A driver that copied the metadata when the upload opened: record the hash in a second write.
      await this.connection
        .collection('artifacts.files')
        .updateOne({ _id: upload.id }, { $set: { 'metadata.sha256': metadata.sha256 } });
    }
    return {
      id,
      appId: metadata.appId,
      contentType: metadata.contentType,
      size,
      sha256: metadata.sha256,
      ...(metadata.runId !== undefined ? { runId: metadata.runId } : {}),
      ...(metadata.nodeId !== undefined ? { nodeId: metadata.nodeId } : {}),
      createdAt: this.clock(),
    };
  }

  async open(
    appId: string,
    id: string,
  ): Promise<{ info: ArtifactInfo; content: Readable } | undefined> {
    if (!ARTIFACT_ID_PATTERN.test(id)) return undefined;
    const [file] = await this.bucket
      .find({ filename: id, 'metadata.appId': appId }, { limit: 1 })
      .toArray();
    if (!file) return undefined;
    const metadata = file.metadata as unknown as GridFsMetadata;
    const info: ArtifactInfo = {
      id,
      appId,
      contentType: metadata.contentType,
      size: file.length,
      sha256: metadata.sha256,
      ...(metadata.runId !== undefined ? { runId: metadata.runId } : {}),
      ...(metadata.nodeId !== undefined ? { nodeId: metadata.nodeId } : {}),
      createdAt: file.uploadDate.getTime(),
    };
    return { info, content: this.bucket.openDownloadStream(file._id) };
  }
}
