import type { Request } from 'express';

/** The label of a request no route answered: one for all of them, whatever their paths. */
export const UNMATCHED_ROUTE = 'unmatched';

const segmentsOf = (path: string) => path.split('/').filter((segment) => segment !== '');

/**
 * The route pattern that answered, e.g. `/v1/workflows/:slug`: the label metrics count a request
 * under, so their series are as many as our routes, never one per name a caller sends.
 *
 * Express keeps the matched route's own pattern but forgets the routers' mount paths once an error
 * unwinds them. Mount paths are fixed words, so they are the request's leading segments, as many
 * as the path has beyond the pattern's; lower-cased, because routing ignores case.
 */
export function routeLabel(request: Request): string {
  const pattern = (request.route as { path?: unknown } | undefined)?.path;
  if (typeof pattern !== 'string') return UNMATCHED_ROUTE;
  const path = segmentsOf(request.originalUrl.split('?')[0] ?? '');
  const own = segmentsOf(pattern);
  const mount = path.slice(0, Math.max(0, path.length - own.length));
  return `/${[...mount.map((segment) => segment.toLowerCase()), ...own].join('/')}`;
}
