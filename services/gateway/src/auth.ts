import type { Request, RequestHandler, Response } from 'express';
import type { ApiKeyPrincipal } from '@weft/store';
import { ApiError } from './api-error';
import type { GatewayDeps } from './deps';

/** The raw API key of a request: `X-API-Key`, else `Authorization: Bearer <key>`. */
export function apiKeyOf(request: Request): string | undefined {
  const header = request.get('x-api-key')?.trim();
  if (header) return header;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.get('authorization') ?? '');
  return match?.[1];
}

/** Authenticates every request it guards; the app found is then {@link principalOf} the response. */
export function requireApiKey(apps: GatewayDeps['apps']): RequestHandler {
  return async (request, response, next) => {
    const key = apiKeyOf(request);
    if (key === undefined) {
      response.set('WWW-Authenticate', 'Bearer');
      throw new ApiError(
        'missing_api_key',
        'Send your API key in the X-API-Key header, or as Authorization: Bearer <key>',
      );
    }
    const principal = await apps.authenticate(key);
    if (!principal) {
      response.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw new ApiError('invalid_api_key', 'The API key is not valid, or it has been revoked');
    }
    response.locals.principal = principal;
    next();
  };
}

/** Who the request authenticated as; only on routes behind {@link requireApiKey}. */
export function principalOf(response: Response): ApiKeyPrincipal {
  const principal = response.locals.principal as ApiKeyPrincipal | undefined;
  if (!principal) throw new Error('principalOf: the route is not behind requireApiKey');
  return principal;
}
