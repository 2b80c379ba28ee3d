/** The console's pages, as parsed from and written to URLs under /console/. */
export type Route =
  | { page: 'workflows' }
  | { page: 'new' }
  | { page: 'editor'; slug: string }
  | { page: 'template'; template: string }
  | { page: 'runs'; slug: string }
  | { page: 'run'; runId: string }
  | { page: 'not-found' };

export const BASE_PATH = '/console';

function segment(text: string): string {
  return encodeURIComponent(text);
}

/** The URL of a page. */
export function hrefOf(route: Route): string {
  switch (route.page) {
    case 'workflows':
    case 'not-found':
      return `${BASE_PATH}/`;
    case 'new':
      return `${BASE_PATH}/new`;
    case 'template':
      return `${BASE_PATH}/new/${segment(route.template)}`;
    case 'editor':
      return `${BASE_PATH}/workflows/${segment(route.slug)}`;
    case 'runs':
      return `${BASE_PATH}/workflows/${segment(route.slug)}/runs`;
    case 'run':
      return `${BASE_PATH}/runs/${segment(route.runId)}`;
  }
}

/** The page a path names. */
export function parseRoute(pathname: string): Route {
  if (!pathname.startsWith(BASE_PATH)) return { page: 'not-found' };
  let parts: string[];
  try {
    parts = pathname
      .slice(BASE_PATH.length)
      .split('/')
      .filter((part) => part !== '')
      .map((part) => decodeURIComponent(part));
  } catch {
    return { page: 'not-found' };
  }
  const [first, second, third] = parts;
  if (first === undefined) return { page: 'workflows' };
  if (first === 'new' && parts.length === 1) return { page: 'new' };
  if (first === 'new' && second !== undefined && parts.length === 2) {
    return { page: 'template', template: second };
  }
  if (first === 'workflows' && second !== undefined && parts.length === 2) {
    return { page: 'editor', slug: second };
  }
  if (first === 'workflows' && second !== undefined && third === 'runs' && parts.length === 3) {
    return { page: 'runs', slug: second };
  }
  if (first === 'runs' && second !== undefined && parts.length === 2) {
    return { page: 'run', runId: second };
  }
  return { page: 'not-found' };
}
