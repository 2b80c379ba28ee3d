import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WeftMetrics } from './metrics';
import { metricsScrapeAllowed } from './metrics-access';

/** One readiness check: resolves when the dependency is usable, throws (or times out) when not. */
export type ReadinessCheck = () => Promise<void>;

/** What `/readyz` answers. */
export interface Readiness {
  ready: boolean;
  /** Each check: `ok`, or why it failed. */
  checks: Record<string, string>;
}

const CHECK_TIMEOUT_MS = 4_000;

/** Runs every check at once, each bounded by a timeout, and says which failed and why. */
export async function checkReadiness(checks: Record<string, ReadinessCheck>): Promise<Readiness> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          check(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
          }),
        ]);
        return [name, 'ok'] as const;
      } catch (error) {
        return [name, error instanceof Error ? error.message : String(error)] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return {
    ready: entries.every(([, result]) => result === 'ok'),
    checks: Object.fromEntries(entries),
  };
}

/**
 * The HTTP face of a service without an API (orchestrator, worker, webhooks): `/healthz` (the
 * process answers), `/readyz` (its dependencies answer; 503 otherwise) and `/metrics`.
 */
export async function startHealthServer(options: {
  port: number;
  host?: string;
  metrics: WeftMetrics;
  checks: Record<string, ReadinessCheck>;
  /** `METRICS_TOKEN`: when set, `/metrics` answers only `Authorization: Bearer <token>`. */
  metricsToken?: string;
}): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const answer = (status: number, type: string, body: string) => {
      response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      response.end(body);
    };
    if (request.method !== 'GET') return answer(405, 'text/plain', 'method not allowed\n');
    if (path === '/healthz') return answer(200, 'application/json', '{"status":"ok"}\n');
    if (path === '/readyz') {
      void checkReadiness(options.checks).then((readiness) =>
        answer(
          readiness.ready ? 200 : 503,
          'application/json',
          `${JSON.stringify({ status: readiness.ready ? 'ready' : 'unready', checks: readiness.checks })}\n`,
        ),
      );
      return;
    }
    if (path === '/metrics') {
      if (!metricsScrapeAllowed(request.headers.authorization, options.metricsToken)) {
        response.setHeader('www-authenticate', 'Bearer');
        return answer(401, 'text/plain', 'send METRICS_TOKEN as Authorization: Bearer <token>\n');
      }
      void options.metrics.exposition().then(
        ({ contentType, body }) => answer(200, contentType, body),
        (error: unknown) => answer(500, 'text/plain', `${String(error)}\n`),
      );
      return;
    }
    answer(404, 'text/plain', 'not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
