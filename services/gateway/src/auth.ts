import type { Request, RequestHandler, Response } from 'express';
import { ApiError } from './api-error';
import { DEFAULT_AUTH_FAILURES_PER_MINUTE } from './config';
import type { GatewayDeps } from './deps';
import { authenticatedAs } from './principal';
import { RateLimiter, type RateLimiterOptions } from './rate-limit';

/** The token of a request's `Authorization: Bearer <token>`, if it has one. */
export function bearerTokenOf(request: Request): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(request.get('authorization') ?? '')?.[1];
}

/** The raw API key of a request: `X-API-Key`, else `Authorization: Bearer <key>`. */
export function apiKeyOf(request: Request): string | undefined {
  const header = request.get('x-api-key')?.trim();
  if (header) return header;
  return bearerTokenOf(request);
}

/**
 * Counts failed authentications per client address: an address whose keys (or admin tokens)
 * failed `failuresPerMinute` times is answered 429 `too_many_auth_failures` without a lookup until
 * it earns another try back (a token bucket, as {@link RateLimiter}); 0 turns this off. A request
 * without a key costs nothing and is not counted.
 */
export class AuthFailures {
  private readonly limiter: RateLimiter | undefined;

  constructor(
    failuresPerMinute: number = DEFAULT_AUTH_FAILURES_PER_MINUTE,
    options: Omit<RateLimiterOptions, 'limitPerMinute'> = {},
  ) {
    this.limiter =
      failuresPerMinute === 0
        ? undefined
        : new RateLimiter({ ...options, limitPerMinute: failuresPerMinute });
  }

  /** Throws 429 when `request`'s address has no try left; spends nothing. */
  check(request: Request, response: Response): void {
    const standing = this.limiter?.peek(addressOf(request));
    if (standing && !standing.allowed) {
      response.set('Retry-After', String(standing.retryAfterSeconds));
      throw new ApiError(
        'too_many_auth_failures',
        `Too many requests with invalid credentials came from this address; retry in ${standing.retryAfterSeconds} s`,
        { limitPerMinute: standing.limit, retryAfterSeconds: standing.retryAfterSeconds },
      );
    }
  }

  /** Counts a failure of `request`'s address. */
  failed(request: Request): void {
    this.limiter?.take(addressOf(request));
  }
}

const addressOf = (request: Request): string => request.ip ?? 'unknown';

/**
 * Authenticates every request it guards; the key found is then `principalOf` the response. Each
 * key presented costs a database lookup, so `failures` refuses addresses that keep failing.
 */
export function requireApiKey(
  apps: GatewayDeps['apps'],
  failures: AuthFailures = new AuthFailures(),
): RequestHandler {
  return async (request, response, next) => {
    const key = apiKeyOf(request);
    if (key === undefined) {
      response.set('WWW-Authenticate', 'Bearer');
      throw new ApiError(
        'missing_api_key',
        'Send your API key in the X-API-Key header, or as Authorization: Bearer <key>',
      );
    }
    failures.check(request, response);
    const principal = await apps.authenticate(key);
    if (!principal) {
      failures.failed(request);
      response.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw new ApiError('invalid_api_key', 'The API key is not valid, or it has been revoked');
    }
    authenticatedAs(response, principal);
    next();
  };
}
