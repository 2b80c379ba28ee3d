import {
  DocumentPage,
  SearchVectorsRequest,
  StoredDocument,
  UpsertVectorRequest,
  VectorItemSaved,
  VectorMatches,
} from '../data';
import { PAGE_LIMITS } from '../names';
import { bytes, headerRef, json, jsonBody, pageParameters } from '../openapi/parts';
import { artifactUpload } from './artifact-upload';
import type { Operation } from './operation';

/** What steps stored: artifacts' bytes, collections' documents, indexes' vectors. */
export const DATA_OPERATIONS: readonly Operation[] = [
  {
    method: 'post',
    path: '/v1/artifacts',
    operationId: 'uploadArtifact',
    tags: ['Artifacts'],
    summary: 'Store bytes as an artifact of the app',
    access: 'key',
    ...artifactUpload("the key's app"),
  },
  {
    method: 'get',
    path: '/v1/artifacts/{artifactId}',
    operationId: 'getArtifact',
    tags: ['Artifacts'],
    summary: 'Read the bytes a step stored',
    description:
      "Served as data, never as a page: `Content-Security-Policy: default-src 'none'; sandbox`.",
    access: 'key',
    parameters: [
      {
        name: 'If-None-Match',
        in: 'header',
        description: 'The `ETag` of a copy you hold: 304 when it is still the content.',
        schema: { type: 'string' },
      },
    ],
    responses: {
      '200': bytes('The bytes, with the `Content-Type` they were stored with.', '*/*', undefined, {
        ETag: {
          description: 'The SHA-256 of the content, quoted.',
          required: true,
          schema: { type: 'string' },
        },
        'Content-Length': {
          description: 'Its size.',
          required: true,
          schema: { type: 'integer' },
        },
        'Cache-Control': {
          description:
            'Content never changes under its id, and is private to the app: a browser may keep it.',
          required: true,
          schema: { const: 'private, max-age=31536000, immutable' },
        },
      }),
      '304': {
        description: '`If-None-Match` named the content: use your copy.',
        headers: { 'X-Request-Id': headerRef('X-Request-Id') },
      },
    },
    errors: ['invalid_request', 'artifact_not_found'],
  },
  {
    method: 'get',
    path: '/v1/collections/{collection}/documents',
    operationId: 'listDocuments',
    tags: ['Collections'],
    summary: 'List what `store_results` wrote to a collection',
    access: 'key',
    parameters: pageParameters(PAGE_LIMITS.documents, 'nextCursor'),
    responses: { '200': json('A page of documents, newest first.', DocumentPage) },
    errors: ['invalid_request'],
  },
  {
    method: 'get',
    path: '/v1/collections/{collection}/documents/{documentId}',
    operationId: 'getDocument',
    tags: ['Collections'],
    summary: 'Read one document of a collection',
    access: 'key',
    responses: { '200': json('The document.', StoredDocument) },
    errors: ['invalid_request', 'document_not_found'],
  },
  {
    method: 'put',
    path: '/v1/indexes/{index}/items/{itemId}',
    operationId: 'upsertVector',
    tags: ['Indexes'],
    summary: 'Add or replace a vector',
    access: 'key',
    requestBody: jsonBody(UpsertVectorRequest),
    responses: { '200': json('The item was stored.', VectorItemSaved) },
    errors: ['dimension_mismatch'],
  },
  {
    method: 'post',
    path: '/v1/indexes/{index}/search',
    operationId: 'searchVectors',
    tags: ['Indexes'],
    summary: 'Find the nearest vectors (cosine)',
    description: 'An exact scan of the index.',
    access: 'key',
    requestBody: jsonBody(SearchVectorsRequest),
    responses: { '200': json('The nearest items, nearest first.', VectorMatches) },
    errors: ['dimension_mismatch'],
  },
];
