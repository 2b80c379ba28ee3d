import type { Request, RequestHandler } from 'express';
import { ApiError } from './api-error';
import { DEFAULT_AUTH_FAILURES_PER_MINUTE } from './config';
import type { GatewayDeps } from './deps';
import { authenticatedAs } from './principal';
import { RateLimiter, type RateLimiterOptions } from './rate-limit';

/** The raw API key of a request: `X-API-Key`, else `Authorization: Bearer <key>`. */
export function apiKeyOf(request: Request): string | undefined {
  const header = request.get('x-api-key')?.trim();
  if (header) return header;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.get('authorization') ?? '');
  return match?.[1];
}

/**
 * Authenticates every request it guards; the key found is then `principalOf` the response.
 *
 * Each key presented costs a database lookup, so a client address whose keys failed
 * `failuresPerMinute` times is answered 429 `too_many_auth_failures` without a lookup until it
 * earns another try back (a token bucket, as {@link RateLimiter}); 0 turns this off. A request
 * without a key costs nothing and is not counted.
 */
export function requireApiKey(
  apps: GatewayDeps['apps'],
  failuresPerMinute: number = DEFAULT_AUTH_FAILURES_PER_MINUTE,
  options: Omit<RateLimiterOptions, 'limitPerMinute'> = {},
): RequestHandler {
  const failures =
    failuresPerMinute === 0
      ? undefined
      : new RateLimiter({ ...options, limitPerMinute: failuresPerMinute });
  return async (request, response, next) => {
    const key = apiKeyOf(request);
    if (key === undefined) {
      response.set('WWW-Authenticate', 'Bearer');
      throw new ApiError(
        'missing_api_key',
        'Send your API key in the X-API-Key header, or as Authorization: Bearer <key>',
      );
    }
    const address = request.ip ?? 'unknown';
    const standing = failures?.peek(address);
    if (standing && !standing.allowed) {
      response.set('Retry-After', String(standing.retryAfterSeconds));
      throw new ApiError(
        'too_many_auth_failures',
        `Too many requests with invalid API keys came from this address; retry in ${standing.retryAfterSeconds} s`,
        { limitPerMinute: standing.limit, retryAfterSeconds: standing.retryAfterSeconds },
      );
    }
    const principal = await apps.authenticate(key);
    if (!principal) {
      failures?.take(address);
      response.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw new ApiError('invalid_api_key', 'The API key is not valid, or it has been revoked');
    }
    authenticatedAs(response, principal);
    next();
  };
}
