import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import express, { Router, type Response } from 'express';
import helmet from 'helmet';

/**
 * The console's Content-Security-Policy, for /console only (the API keeps helmet's default).
 * Scripts, styles and fonts come from the gateway; images and media also from `data:` and
 * `blob:` (artifacts need the API key, so the console fetches them and shows blobs) and from
 * https (providers' result URLs); the page talks to the gateway only.
 */
export const CONSOLE_CSP_DIRECTIVES = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:', 'blob:', 'https:'],
  'media-src': ["'self'", 'blob:', 'https:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
} as const;

/** Where the console's build output is, found through its package; undefined if not installed. */
export function consoleDistDir(): string | undefined {
  try {
    return join(dirname(require.resolve('@weft/console/package.json')), 'dist');
  } catch {
    return undefined;
  }
}

function notBuilt(response: Response): void {
  response
    .status(503)
    .type('text/plain')
    .send(
      'The Weft console is not built. Build it with `npm run build -w @weft/console` ' +
        '(`npm run build` builds everything), then reload this page.\n',
    );
}

/**
 * The web console at `/console`: the built single-page app's files, and its index.html for
 * every other path (the app routes in the browser). Hashed assets are cached for good, the
 * page itself never. Checked per request, so building while the gateway runs is enough.
 */
export function consoleRoutes(options: { distDir?: string } = {}): Router {
  const distDir = options.distDir ?? consoleDistDir();
  const router = Router();
  router.use(
    helmet.contentSecurityPolicy({ useDefaults: false, directives: CONSOLE_CSP_DIRECTIVES }),
  );

  router.use((_request, response, next) => {
    if (distDir === undefined || !existsSync(join(distDir, 'index.html'))) {
      notBuilt(response);
      return;
    }
    next();
  });

  if (distDir !== undefined) {
    router.use(
      express.static(distDir, {
        index: false,
        redirect: false,
        setHeaders: (response, path) => {
          response.setHeader(
            'Cache-Control',
            path.includes(`${join(distDir, 'assets')}`)
              ? 'public, max-age=31536000, immutable'
              : 'no-cache',
          );
        },
      }),
    );
  }

  // Client routes (`/console/workflows/…`, `/console/runs/…`) are the app's; files are not.
  // Middleware rather than a route: these pages are not part of the API the OpenAPI document
  // describes.
  router.use((request, response, next) => {
    const isPage = request.method === 'GET' || request.method === 'HEAD';
    if (distDir === undefined || !isPage || /\.[A-Za-z0-9]+$/.test(request.path)) {
      next();
      return;
    }
    response.setHeader('Cache-Control', 'no-cache');
    response.sendFile(join(distDir, 'index.html'));
  });

  return router;
}
