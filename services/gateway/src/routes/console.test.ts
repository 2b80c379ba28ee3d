import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import helmet from 'helmet';
import { consoleRoutes } from './console';

/** The routes behind helmet's defaults, as the gateway mounts them, next to an API route. */
async function serve(distDir: string): Promise<{ url: string; server: Server }> {
  const app = express();
  app.use(helmet());
  app.use('/console', consoleRoutes({ distDir }));
  app.get('/v1/thing', (_request, response) => {
    response.json({ ok: true });
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('the console routes', () => {
  let dist: string;
  let url: string;
  let server: Server;

  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'weft-console-'));
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Weft console</title>');
    writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log(1);');
    writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    ({ url, server } = await serve(dist));
  });

  afterAll(async () => {
    server.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it('serves index.html at /console and for client routes, never cached', async () => {
    for (const path of ['/console', '/console/', '/console/workflows/prompt-to-video/runs']) {
      const response = await fetch(`${url}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(await response.text()).toContain('Weft console');
    }
  });

  it('serves hashed assets cached for good, other files revalidated', async () => {
    const asset = await fetch(`${url}/console/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const icon = await fetch(`${url}/console/favicon.svg`);
    expect(icon.headers.get('cache-control')).toBe('no-cache');
    // A missing file is not answered with the page.
    expect((await fetch(`${url}/console/assets/missing.js`)).status).toBe(404);
  });

  it('gives /console its own CSP and leaves the API helmet’s', async () => {
    const page = await fetch(`${url}/console/`);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("img-src 'self' data: blob: https:");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toContain('upgrade-insecure-requests');
    const api = await fetch(`${url}/v1/thing`);
    expect(api.headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
    expect(api.headers.get('content-security-policy')).not.toContain('blob:');
  });

  it('answers 503 saying how to build it when the build is missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'weft-console-empty-'));
    const other = await serve(empty);
    try {
      const response = await fetch(`${other.url}/console/`);
      expect(response.status).toBe(503);
      expect(await response.text()).toContain('npm run build -w @weft/console');
    } finally {
      other.server.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
