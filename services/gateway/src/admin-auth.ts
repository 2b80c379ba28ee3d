import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ApiError, routeNotFound } from './api-error';
import { bearerTokenOf, type AuthFailures } from './auth';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Guards `/v1/admin`: `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time, and
 * counted with the API keys' failures so neither can be guessed faster than the other. Without a
 * token configured the admin API does not exist: 404 `not_found`, as for a path no route serves.
 */
export function requireAdminToken(
  adminToken: string | undefined,
  failures: AuthFailures,
): RequestHandler {
  const expected = adminToken === undefined ? undefined : digest(adminToken);
  return (request, response, next) => {
    // No route of it exists then, and the answer says so as for any other path.
    if (expected === undefined) throw routeNotFound(request);
    const presented = bearerTokenOf(request);
    if (presented === undefined) {
      response.set('WWW-Authenticate', 'Bearer');
      throw new ApiError(
        'missing_admin_token',
        'Send the gateway’s ADMIN_TOKEN as Authorization: Bearer <token>',
      );
    }
    failures.check(request, response);
    if (!timingSafeEqual(digest(presented), expected)) {
      failures.failed(request);
      response.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw new ApiError('invalid_admin_token', 'The admin token is not this gateway’s');
    }
    next();
  };
}
