import {
  artifactUrl,
  DEFAULT_ARTIFACT_LIMIT_BYTES,
  MAX_MEDIA_TYPE_LENGTH,
  MEDIA_TYPE_PATTERN,
  type ArtifactFile,
} from '@weft/contract';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { ApiError, routeNotFound } from '../api-error';
import type { GatewayDeps } from '../deps';
import { principalOf } from '../principal';
import { baseUrlOf } from '../status-url';
import { artifactTooLarge, boundedBody } from '../upload-body';
import { APP_ID } from './keys';
import { RUN_ID, runNotFound } from './runs';

function badHeader(name: string, message: string, problem: string): ApiError {
  return new ApiError('invalid_request', message, {
    issues: [{ path: `header:${name}`, message: problem }],
  });
}

/** The upload's type, as the client states it: required, since it is served back as stated. */
function contentTypeOf(request: Request): string {
  const given = request.get('content-type')?.trim();
  if (given === undefined || given === '') {
    throw badHeader(
      'Content-Type',
      'Say what the bytes are with a Content-Type header, e.g. image/png',
      'is required',
    );
  }
  if (given.length > MAX_MEDIA_TYPE_LENGTH || !MEDIA_TYPE_PATTERN.test(given)) {
    throw badHeader(
      'Content-Type',
      'The Content-Type is not a media type such as image/png or text/plain; charset=utf-8',
      `must be type/subtype with optional parameters, at most ${MAX_MEDIA_TYPE_LENGTH} characters`,
    );
  }
  return given;
}

/** Bytes are stored as sent: compressed ones would be served back as their type, undecodable. */
function refuseEncodedBody(request: Request): void {
  const encoding = request.get('content-encoding')?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
    throw badHeader(
      'Content-Encoding',
      'Send the bytes as they are, without a Content-Encoding',
      'must be absent or identity',
    );
  }
}

/** `?runId=`, when given: a run of `appId`, else 404 as for any run the app does not have. */
async function runIdOf(
  deps: GatewayDeps,
  request: Request,
  appId: string,
): Promise<string | undefined> {
  const runId = (request.query as Record<string, unknown>).runId;
  if (runId === undefined) return undefined;
  if (typeof runId !== 'string') {
    throw new ApiError('invalid_request', 'Give runId once', {
      issues: [{ path: 'query:runId', message: 'must be given at most once' }],
    });
  }
  if (!RUN_ID.test(runId) || (await deps.runs.versionOf(appId, runId)) === undefined) {
    throw runNotFound(runId);
  }
  return runId;
}

/**
 * Stores the request's body as an artifact of the app `appOf` names and answers 201 with it.
 * Everything is checked before a byte is read, and the size again as the bytes arrive; a refused
 * upload's unread rest is not read: the connection closes after the answer.
 */
async function uploadArtifact(
  deps: GatewayDeps,
  request: Request,
  response: Response,
  appOf: () => Promise<string>,
): Promise<void> {
  try {
    const appId = await appOf();
    const contentType = contentTypeOf(request);
    refuseEncodedBody(request);
    const limitBytes = deps.artifactLimitBytes ?? DEFAULT_ARTIFACT_LIMIT_BYTES;
    if (Number(request.get('content-length') ?? 0) > limitBytes) {
      throw artifactTooLarge(limitBytes);
    }
    const runId = await runIdOf(deps, request, appId);
    const info = await deps.artifacts.putStream({
      appId,
      contentType,
      ...(runId === undefined ? {} : { runId }),
      content: boundedBody(request, limitBytes),
    });
    const url = artifactUrl(baseUrlOf(request, deps.publicUrl), info.id);
    const answer: ArtifactFile = { url, content_type: info.contentType, file_size: info.size };
    response.status(201).location(url).json(answer);
  } catch (error) {
    if (!request.complete) response.set('Connection', 'close');
    throw error;
  }
}

/**
 * Any other method on an upload's path is a route that does not exist, answered so before its
 * body, which may be anything, reaches the JSON parser (whose 400 would say otherwise).
 */
const noSuchRoute: RequestHandler = (request) => {
  throw routeNotFound(request);
};

/**
 * `POST /artifacts`, mounted at `/v1` behind requireApiKey, before JSON bodies are parsed: the
 * body is the artifact's bytes, stored as the key's app's.
 */
export function artifactUploadRoutes(deps: GatewayDeps): Router {
  const router = Router();
  router.post('/artifacts', async (request, response) => {
    await uploadArtifact(deps, request, response, async () =>
      Promise.resolve(principalOf(response).appId),
    );
  });
  router.all('/artifacts', noSuchRoute);
  return router;
}

/**
 * `POST /apps/:appId/artifacts`, mounted at `/v1/admin` behind the admin token, before JSON bodies
 * are parsed: the same upload for any app, for workers that serve many apps.
 */
export function adminArtifactUploadRoutes(deps: GatewayDeps): Router {
  const router = Router();
  router.post('/apps/:appId/artifacts', async (request, response) => {
    await uploadArtifact(deps, request, response, async () => {
      const appId = request.params.appId;
      if (!APP_ID.test(appId) || !(await deps.apps.getApp(appId))) {
        throw new ApiError('app_not_found', `No app ${appId}`, { appId });
      }
      return appId;
    });
  });
  router.all('/apps/:appId/artifacts', noSuchRoute);
  return router;
}
