import { Router, type Request, type Response } from 'express';
import { apiKeyView, KeyLimitError } from '@weft/store';
import { ApiError } from '../api-error';
import { principalOf } from '../principal';
import { DEFAULT_MAX_KEYS_PER_APP } from '../config';
import type { GatewayDeps } from '../deps';
import type { LiveStreams } from '../live-streams';

/** Key ids are `key_` and 22 base-36 characters; anything else cannot be found, not looked up. */
const KEY_ID = /^key_[0-9a-z]{22}$/;
/** App ids are `app_` and 22 base-36 characters, the same way. */
export const APP_ID = /^app_[0-9a-z]{22}$/;

function isEmptyBody(body: unknown): boolean {
  return (
    body === undefined ||
    (typeof body === 'object' &&
      body !== null &&
      !Array.isArray(body) &&
      Object.keys(body).length === 0)
  );
}

/** Whose keys a router manages: the app of a request, and what to answer once it is gone. */
interface KeyOwner {
  appOf(request: Request, response: Response): Promise<string>;
  /** The error for an app deleted while the request was under way. */
  gone(appId: string): ApiError;
}

/**
 * The app's API keys, mounted at `/v1/keys` behind requireApiKey: any key of an app may list,
 * create and revoke the app's keys (its own included), so keys can be rotated without downtime.
 */
export function keyRoutes(deps: GatewayDeps, streams: Pick<LiveStreams, 'keyRevoked'>): Router {
  return appKeyRoutes(deps, streams, '', {
    appOf: async (_request, response) => Promise.resolve(principalOf(response).appId),
    // Its keys mean nothing now.
    gone: () => new ApiError('invalid_api_key', 'The API key is not valid, or it has been revoked'),
  });
}

/**
 * Any app's keys at `/apps/:appId/keys`, for the admin router. The app is a parameter of each
 * route, not of a mount path, so metrics count requests under the pattern, never per app.
 */
export function adminKeyRoutes(
  deps: GatewayDeps,
  streams: Pick<LiveStreams, 'keyRevoked'>,
): Router {
  const gone = (appId: string) => new ApiError('app_not_found', `No app ${appId}`, { appId });
  return appKeyRoutes(deps, streams, '/apps/:appId/keys', {
    appOf: async (request) => {
      const appId = String(request.params.appId);
      if (!APP_ID.test(appId) || !(await deps.apps.getApp(appId))) throw gone(appId);
      return appId;
    },
    gone,
  });
}

function appKeyRoutes(
  deps: GatewayDeps,
  streams: Pick<LiveStreams, 'keyRevoked'>,
  base: string,
  owner: KeyOwner,
): Router {
  const router = Router();

  router.get(base || '/', async (request, response) => {
    const appId = await owner.appOf(request, response);
    const keys = await deps.apps.listKeys(appId);
    response.json({ keys: keys.map(apiKeyView) });
  });

  router.post(base || '/', async (request, response) => {
    if (!isEmptyBody(request.body)) {
      throw new ApiError('invalid_request', 'Creating a key takes no body (or an empty object)', {
        issues: [{ path: '', message: 'must be empty' }],
      });
    }
    const appId = await owner.appOf(request, response);
    const created = await deps.apps
      .createKey(appId, { maxWorking: deps.maxKeysPerApp ?? DEFAULT_MAX_KEYS_PER_APP })
      .catch((error: unknown) => {
        if (error instanceof KeyLimitError) {
          throw new ApiError(
            'key_limit_reached',
            `This app already holds ${error.limit} working API keys; revoke one first`,
            {
              limit: error.limit,
            },
          );
        }
        throw error;
      });
    // Only when the app was deleted while this request was under way.
    if (!created) throw owner.gone(appId);
    response.status(201).json({ key: apiKeyView(created.key), apiKey: created.apiKey });
  });

  router.delete(`${base}/:keyId`, async (request, response) => {
    const appId = await owner.appOf(request, response);
    const keyId = String(request.params.keyId);
    const revoked = KEY_ID.test(keyId) ? await deps.apps.revokeKey(appId, keyId) : undefined;
    if (!revoked) {
      throw new ApiError('key_not_found', `No API key ${keyId} in this app`, { keyId });
    }
    streams.keyRevoked(keyId);
    response.json({ key: apiKeyView(revoked) });
  });

  return router;
}
