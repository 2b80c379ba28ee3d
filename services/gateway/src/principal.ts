import type { Response } from 'express';
import type { ApiKeyPrincipal } from '@weft/store';

// Who a request authenticated as, kept on its response: set by requireApiKey, read by the routes
// behind it and the per-key rate limit.

export function authenticatedAs(response: Response, principal: ApiKeyPrincipal): void {
  response.locals.principal = principal;
}

/** Who the request authenticated as; only on routes behind requireApiKey. */
export function principalOf(response: Response): ApiKeyPrincipal {
  const principal = response.locals.principal as ApiKeyPrincipal | undefined;
  if (!principal) throw new Error('principalOf: the route is not behind requireApiKey');
  return principal;
}
