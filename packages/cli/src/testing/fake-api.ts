import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the fake API received. */
export interface FakeRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body as sent. */
  body: Buffer;
  /** The body parsed, when it was JSON. */
  json: unknown;
}

/** Answers a request by writing `response`. */
export type FakeRoute = (request: FakeRequest, response: ServerResponse) => void;

/** A node:http stand-in for the gateway: routes by `METHOD path`, records every request. */
export interface FakeApi {
  url: string;
  requests: FakeRequest[];
  routes: Map<string, FakeRoute>;
  close(): Promise<void>;
}

/** Sends JSON. */
export function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'req-1' });
  response.end(JSON.stringify(body));
}

/** Sends the API's error shape. */
export function apiError(
  response: ServerResponse,
  status: number,
  code: string,
  message: string,
  details: Record<string, unknown> = {},
): void {
  json(response, status, { error: { code, message, details } });
}

/** The body parsed as JSON; undefined when empty or not JSON (an upload's bytes). */
function jsonOf(body: Buffer): unknown {
  try {
    return body.length === 0 ? undefined : (JSON.parse(body.toString('utf8')) as unknown);
  } catch {
    return undefined;
  }
}

/** Starts the fake; unknown routes answer 404 `not_found`, as the gateway does. */
export async function startFakeApi(): Promise<FakeApi> {
  const requests: FakeRequest[] = [];
  const routes = new Map<string, FakeRoute>();
  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const request: FakeRequest = {
        method: incoming.method ?? '',
        url: incoming.url ?? '',
        headers: incoming.headers,
        body,
        json: jsonOf(body),
      };
      requests.push(request);
      const path = request.url.split('?')[0] ?? '';
      const route = routes.get(`${request.method} ${path}`);
      if (route) route(request, response);
      else apiError(response, 404, 'not_found', `No route ${request.method} ${path}`);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    routes,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
