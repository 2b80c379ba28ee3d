import type { VectorMatches } from '@weft/contract';
import { uploadArtifact, type UploadArtifactOptions } from './artifact-upload';
import { signalOf, type CallOptions } from './call-options';
import { segment } from './path-segment';
import type { BytesBody, Transport } from './transport';
import type {
  Artifact,
  ArtifactFile,
  DocumentPage,
  PageParams,
  ResultDocument,
  SearchVectorsRequest,
  UpsertedVector,
  UpsertVectorRequest,
  VectorMatch,
} from './types';

const ARTIFACT_PATH = /\/v1\/artifacts\/([^/?#]+)\/?(?:[?#].*)?$/;

/**
 * The artifact id in an id or in an artifact URL (`…/v1/artifacts/art_…`, as run outputs give
 * them). Only the id is used: the request goes to the client's own URL, so the API key is never
 * sent to a host named by run output.
 */
export function artifactIdOf(idOrUrl: string): string {
  const match = ARTIFACT_PATH.exec(idOrUrl);
  if (match?.[1] !== undefined) return decodeURIComponent(match[1]);
  if (/^[a-z][a-z0-9+.-]*:/i.test(idOrUrl) || idOrUrl.includes('/')) {
    throw new TypeError(`"${idOrUrl}" is neither an artifact id nor a /v1/artifacts/ URL`);
  }
  return idOrUrl;
}

/** Artifacts that steps stored, or the app uploaded: `/v1/artifacts`. */
export class ArtifactsApi {
  constructor(private readonly transport: Transport) {}

  /**
   * Stores `body` as an artifact of the key's app: its `url` (readable with the app's key) can
   * travel where the bytes cannot, such as a step's result. 413 `artifact_too_large` over the
   * gateway's `ARTIFACT_LIMIT_BYTES`.
   */
  upload(body: BytesBody, options: UploadArtifactOptions): Promise<ArtifactFile> {
    return uploadArtifact(this.transport, '/v1/artifacts', body, options);
  }

  /** An artifact's bytes and content type, by id or by the URL a run's output holds. */
  async download(idOrUrl: string, options?: CallOptions): Promise<Artifact> {
    const { bytes, response } = await this.transport.bytes({
      method: 'GET',
      path: `/v1/artifacts/${segment(artifactIdOf(idOrUrl))}`,
      headers: { accept: '*/*' },
      ...signalOf(options),
    });
    return {
      bytes,
      contentType: response.headers.get('content-type') ?? 'application/octet-stream',
      etag: response.headers.get('etag'),
    };
  }
}

/** What `store_results` wrote: `/v1/collections`. */
export class CollectionsApi {
  constructor(private readonly transport: Transport) {}

  /** One page of a collection's documents, newest first. */
  list(collection: string, params: PageParams = {}, options?: CallOptions): Promise<DocumentPage> {
    return this.transport.json<DocumentPage>({
      method: 'GET',
      path: `/v1/collections/${segment(collection)}/documents`,
      query: { limit: params.limit, cursor: params.cursor },
      ...signalOf(options),
    });
  }

  /** Every document of a collection, newest first, page after page as it is iterated. */
  async *listAll(
    collection: string,
    params: PageParams = {},
    options?: CallOptions,
  ): AsyncGenerator<ResultDocument, void, undefined> {
    let cursor = params.cursor;
    do {
      const page = await this.list(collection, { ...params, cursor }, options);
      yield* page.documents;
      cursor = page.nextCursor;
    } while (cursor !== undefined);
  }

  /** One document. */
  get(collection: string, id: string, options?: CallOptions): Promise<ResultDocument> {
    return this.transport.json<ResultDocument>({
      method: 'GET',
      path: `/v1/collections/${segment(collection)}/documents/${segment(id)}`,
      ...signalOf(options),
    });
  }
}

/** Vector indexes: `/v1/indexes`. */
export class IndexesApi {
  constructor(private readonly transport: Transport) {}

  /** Adds or replaces a vector; every vector of an index has the first one's dimensions. */
  upsert(
    index: string,
    id: string,
    item: UpsertVectorRequest,
    options?: CallOptions,
  ): Promise<UpsertedVector> {
    return this.transport.json<UpsertedVector>({
      method: 'PUT',
      path: `/v1/indexes/${segment(index)}/items/${segment(id)}`,
      body: item,
      ...signalOf(options),
    });
  }

  /** The nearest vectors (cosine), nearest first. */
  async search(
    index: string,
    request: SearchVectorsRequest,
    options?: CallOptions,
  ): Promise<VectorMatch[]> {
    const { matches } = await this.transport.json<VectorMatches>({
      method: 'POST',
      path: `/v1/indexes/${segment(index)}/search`,
      body: request,
      // A search reads only.
      idempotent: true,
      ...signalOf(options),
    });
    return matches;
  }
}
