import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the server received, body read. */
export interface ReceivedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed, when it was JSON. */
  json: unknown;
}

/** Answers one request; may write and end the response at leisure. */
export type Responder = (
  request: ReceivedRequest,
  response: ServerResponse,
) => void | Promise<void>;

/** A node:http server on a free loopback port that records every request. */
export interface LocalServer {
  url: string;
  requests: ReceivedRequest[];
  /** Replaces how requests are answered. */
  respond(responder: Responder): void;
  close(): Promise<void>;
}

/** Sends `body` as JSON with `status` and extra headers. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(body === undefined ? undefined : JSON.stringify(body));
}

/** Sends the API's error shape. */
export function sendError(
  response: ServerResponse,
  status: number,
  code: string,
  headers: Record<string, string> = {},
  details: Record<string, unknown> = {},
): void {
  sendJson(response, status, { error: { code, message: `${code} happened`, details } }, headers);
}

/** Starts a server answering with `responder` (default: 200 `{}`). */
export async function startLocalServer(responder?: Responder): Promise<LocalServer> {
  let current: Responder = responder ?? ((_request, response) => sendJson(response, 200, {}));
  const requests: ReceivedRequest[] = [];
  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = body === '' ? undefined : JSON.parse(body);
      } catch {
        json = undefined;
      }
      const request: ReceivedRequest = {
        method: incoming.method ?? '',
        url: incoming.url ?? '',
        headers: incoming.headers,
        body,
        json,
      };
      requests.push(request);
      Promise.resolve(current(request, response)).catch((error: unknown) => {
        response.destroy(error as Error);
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respond(next) {
      current = next;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
