import { Type, type Static } from '@sinclair/typebox';
import { MAX_VECTOR_DIMENSIONS } from './names';
import { anyObject, closedObject, component, dateTime, ref } from './schema-kit';

/**
 * An artifact as step results name one (a video's `{url, content_type, file_size}`, fal's file
 * shape): what an upload answers with, so a step handler can return it as it is.
 */
export const ArtifactFile = component(
  'ArtifactFile',
  closedObject(
    {
      url: Type.String({
        description:
          "`<PUBLIC_URL>/v1/artifacts/art_…`: read with the app's key (`GET /v1/artifacts/{artifactId}`).",
      }),
      content_type: Type.String({ description: 'The `Content-Type` it was stored with.' }),
      file_size: Type.Integer({ minimum: 0, description: 'Bytes.' }),
    },
    { description: 'A stored artifact.' },
  ),
);
export type ArtifactFile = Static<typeof ArtifactFile>;

export const StoredDocument = component(
  'StoredDocument',
  closedObject(
    {
      id: Type.String({ description: '`res_…`.' }),
      collection: Type.String(),
      document: anyObject({ description: 'What `store_results` wrote.' }),
      runId: Type.Optional(Type.String({ description: 'The run that wrote it.' })),
      nodeId: Type.Optional(Type.String({ description: 'The node that wrote it.' })),
      createdAt: dateTime('When it was written'),
    },
    { description: 'A document of a result collection.' },
  ),
);
export type StoredDocument = Static<typeof StoredDocument>;

export const DocumentPage = component(
  'DocumentPage',
  closedObject({
    documents: Type.Array(ref(StoredDocument), { description: 'Newest first.' }),
    nextCursor: Type.Optional(
      Type.String({ description: 'Pass as `cursor` for the next page; absent on the last.' }),
    ),
  }),
);
export type DocumentPage = Static<typeof DocumentPage>;

const vector = (description?: string) =>
  Type.Array(Type.Number(), {
    minItems: 1,
    maxItems: MAX_VECTOR_DIMENSIONS,
    ...(description === undefined ? {} : { description }),
  });

/** `PUT /v1/indexes/{index}/items/{id}`. */
export const UpsertVectorRequest = component(
  'UpsertVectorRequest',
  closedObject({
    vector: vector("Every vector of an index has the first one's length."),
    metadata: Type.Optional(anyObject({ description: 'Returned with the item by searches.' })),
  }),
);
export type UpsertVectorRequest = Static<typeof UpsertVectorRequest>;

export const VectorItemSaved = component(
  'VectorItemSaved',
  closedObject({
    index: Type.String(),
    id: Type.String(),
    dimensions: Type.Integer({ minimum: 1 }),
  }),
);
export type VectorItemSaved = Static<typeof VectorItemSaved>;

/** `POST /v1/indexes/{index}/search`. */
export const SearchVectorsRequest = component(
  'SearchVectorsRequest',
  closedObject({
    vector: vector(),
    top_k: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 5 })),
  }),
);
export type SearchVectorsRequest = Static<typeof SearchVectorsRequest>;

export const VectorMatch = component(
  'VectorMatch',
  closedObject({
    id: Type.String(),
    score: Type.Number({
      minimum: -1,
      maximum: 1,
      description: 'Cosine similarity; higher is nearer.',
    }),
    metadata: Type.Optional(anyObject()),
  }),
);
export type VectorMatch = Static<typeof VectorMatch>;

export const VectorMatches = component(
  'VectorMatches',
  closedObject({ matches: Type.Array(ref(VectorMatch), { description: 'Nearest first.' }) }),
);
export type VectorMatches = Static<typeof VectorMatches>;

/** The components of this module, by their names in the OpenAPI document. */
export const DATA_COMPONENTS = {
  ArtifactFile,
  StoredDocument,
  DocumentPage,
  UpsertVectorRequest,
  VectorItemSaved,
  SearchVectorsRequest,
  VectorMatch,
  VectorMatches,
};
