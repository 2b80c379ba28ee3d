import {
  PAGE_LIMITS,
  RESULT_COLLECTION_PATTERN,
  VECTOR_INDEX_PATTERN,
  VECTOR_ITEM_ID_PATTERN,
} from '@weft/contract';
import { pipeline } from 'node:stream/promises';
import { Router, type Request } from 'express';
import { DEFINITION_LIMITS } from '@weft/core';
import { ARTIFACT_ID_PATTERN, VectorMismatchError } from '@weft/store';
import { ApiError } from '../api-error';
import { storedResultView } from '../data-views';
import { pageQuery } from '../page-query';
import { principalOf } from '../principal';
import type { GatewayDeps } from '../deps';
import {
  parseBody,
  validateSearchVectorsRequest,
  validateUpsertVectorRequest,
} from '../request-schemas';

const RESULT_ID = /^res_[0-9a-z]{22}$/;

function param(request: Request, name: string, pattern: RegExp, what: string): string {
  const raw: unknown = request.params[name];
  const value = typeof raw === 'string' ? raw : '';
  if (!pattern.test(value)) {
    throw new ApiError('invalid_request', `"${value}" is not ${what}`, {
      issues: [{ path: `param:${name}`, message: `must match ${pattern.source}` }],
    });
  }
  return value;
}

function pageOf(request: Request): { limit: number; cursor?: string } {
  return pageQuery(request, {
    limits: PAGE_LIMITS.documents,
    cursor: RESULT_ID,
    cursorName: 'nextCursor',
  });
}

/**
 * 400 for a vector whose length overflows (values near 1e308): its cosine similarities would be
 * NaN, which JSON sends as null.
 */
function finiteLength(vector: number[]): number[] {
  let squares = 0;
  for (const value of vector) squares += value * value;
  if (!Number.isFinite(squares)) {
    throw new ApiError('invalid_request', 'The vector is too long: its values are too large', {
      issues: [{ path: '/vector', message: 'must have a finite length (sum of squares)' }],
    });
  }
  return vector;
}

/** Nesting depth of `value` (0 for a scalar), walked without recursion; stops past `limit`. */
function depthOf(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0 && deepest <= limit) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (typeof current !== 'object' || current === null) continue;
    deepest = Math.max(deepest, depth + 1);
    for (const item of Object.values(current)) stack.push([item, depth + 1]);
  }
  return deepest;
}

/** 400 for metadata nested deeper than run inputs may be: storing it would overflow the stack. */
function boundedMetadata(
  metadata: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  const limit = DEFINITION_LIMITS.maxInputDepth;
  if (metadata !== undefined && depthOf(metadata, limit) > limit) {
    throw new ApiError('invalid_request', `metadata is nested deeper than ${limit} levels`, {
      issues: [{ path: '/metadata', message: `must be nested at most ${limit} levels deep` }],
    });
  }
  return metadata;
}

function vectorProblem(error: unknown): never {
  if (error instanceof VectorMismatchError) {
    throw new ApiError('dimension_mismatch', error.message, {});
  }
  throw error;
}

/**
 * Artifacts, result collections and vector indexes: what steps store, read back by the app that
 * owns it (another app's ids are not found). Mounted at `/v1` behind requireApiKey.
 */
export function dataRoutes(deps: GatewayDeps): Router {
  const router = Router();

  router.get('/artifacts/:id', async (request, response) => {
    const { appId } = principalOf(response);
    const id = String(request.params.id);
    const opened = ARTIFACT_ID_PATTERN.test(id) ? await deps.artifacts.open(appId, id) : undefined;
    if (!opened) {
      throw new ApiError('artifact_not_found', `No artifact "${id}" in this app`, { id });
    }
    const { info, content } = opened;
    response.set({
      'Content-Type': info.contentType,
      'Content-Length': String(info.size),
      ETag: `"${info.sha256}"`,
      // Content never changes under an id; it is private to the app's key.
      'Cache-Control': 'private, max-age=31536000, immutable',
      // Served bytes are data, never a page: nothing in them may run.
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'Content-Disposition': 'inline',
    });
    if (request.get('if-none-match') === `"${info.sha256}"`) {
      content.destroy();
      response.status(304).end();
      return;
    }
    await pipeline(content, response);
  });

  router.get('/collections/:name/documents', async (request, response) => {
    const { appId } = principalOf(response);
    const name = param(request, 'name', RESULT_COLLECTION_PATTERN, 'a collection name');
    const page = await deps.results.list(appId, name, pageOf(request));
    response.json({
      documents: page.documents.map(storedResultView),
      ...(page.nextCursor !== undefined ? { nextCursor: page.nextCursor } : {}),
    });
  });

  router.get('/collections/:name/documents/:id', async (request, response) => {
    const { appId } = principalOf(response);
    const name = param(request, 'name', RESULT_COLLECTION_PATTERN, 'a collection name');
    const id = String(request.params.id);
    const found = RESULT_ID.test(id) ? await deps.results.get(appId, name, id) : undefined;
    if (!found) {
      throw new ApiError('document_not_found', `No document "${id}" in collection "${name}"`, {
        collection: name,
        id,
      });
    }
    response.json(storedResultView(found));
  });

  router.put('/indexes/:index/items/:id', async (request, response) => {
    const { appId } = principalOf(response);
    const index = param(request, 'index', VECTOR_INDEX_PATTERN, 'an index name');
    const id = param(request, 'id', VECTOR_ITEM_ID_PATTERN, 'an item id');
    const body = parseBody(validateUpsertVectorRequest, request.body);
    const metadata = boundedMetadata(body.metadata);
    await deps.vectors
      .upsert(appId, index, {
        id,
        vector: finiteLength(body.vector),
        ...(metadata !== undefined ? { metadata } : {}),
      })
      .catch(vectorProblem);
    response.json({ index, id, dimensions: body.vector.length });
  });

  router.post('/indexes/:index/search', async (request, response) => {
    const { appId } = principalOf(response);
    const index = param(request, 'index', VECTOR_INDEX_PATTERN, 'an index name');
    const body = parseBody(validateSearchVectorsRequest, request.body);
    const matches = await deps.vectors
      .search(appId, index, finiteLength(body.vector), body.top_k ?? 5)
      .catch(vectorProblem);
    response.json({ matches });
  });

  return router;
}
