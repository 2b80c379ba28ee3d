import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A file part of a multipart request, as a fake saw it. */
export interface RecordedFile {
  filename: string;
  contentType: string;
  size: number;
}

/** One request a fake received, recorded before the fake answered it (failed ones included). */
export interface RecordedRequest {
  method: string;
  /** The request target as sent: path and query, e.g. `/v1/chat/completions`. */
  path: string;
  /** Lower-cased header names, as Node gives them. */
  headers: IncomingHttpHeaders;
  /** The parsed body, when it was sent as JSON and parsed. */
  json?: unknown;
  raw: Buffer;
  /** The fields of a `multipart/form-data` body; files are described, their bytes stay in `raw`. */
  form?: Record<string, string | RecordedFile>;
}

/** How a fake answers a request it was told to fail. */
export interface FakeFailure {
  status: number;
  /** The body; each fake has a default in its provider's error shape. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** A request handler of a fake; the request is already recorded. */
export type FakeHandler = (request: RecordedRequest, response: ServerResponse) => Promise<void>;

/** An HTTP server on 127.0.0.1 that records every request it receives. */
export interface RecordingServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  origin: string;
  /** Every request so far, oldest first; `reset()` of a fake empties it in place. */
  requests: RecordedRequest[];
  /** Closes the server and drops open connections, so a hanging response never holds a test. */
  close(): Promise<void>;
}

/** Starts a recording server on a free port of 127.0.0.1; the handler's failures answer 500. */
export async function startRecordingServer(handler: FakeHandler): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const recorded = recordRequest(req.method ?? 'GET', req.url ?? '/', req.headers, raw);
      requests.push(recorded);
      handler(recorded, res).catch((error: unknown) => {
        sendJson(res, 500, { error: { message: `fake failed: ${String(error)}` } });
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function recordRequest(
  method: string,
  path: string,
  headers: IncomingHttpHeaders,
  raw: Buffer,
): RecordedRequest {
  const recorded: RecordedRequest = { method, path, headers, raw };
  const contentType = headers['content-type'] ?? '';
  if (contentType.includes('application/json') && raw.length > 0) {
    try {
      recorded.json = JSON.parse(raw.toString('utf8')) as unknown;
    } catch {
      // Left undefined: a fake answers 400 to a body that claims JSON and is not.
    }
  }
  if (contentType.startsWith('multipart/form-data')) {
    recorded.form = parseMultipart(raw, contentType);
  }
  return recorded;
}

/**
 * The fields of a `multipart/form-data` body (RFC 7578): text fields as strings, files described
 * by name, type and size. Malformed parts are skipped, as a lenient server would.
 */
export function parseMultipart(
  raw: Buffer,
  contentType: string,
): Record<string, string | RecordedFile> {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  const fields: Record<string, string | RecordedFile> = {};
  if (boundary === undefined) return fields;
  const delimiter = Buffer.from(`--${boundary}`);
  let start = raw.indexOf(delimiter);
  while (start !== -1) {
    const afterDelimiter = start + delimiter.length;
    if (raw.subarray(afterDelimiter, afterDelimiter + 2).toString() === '--') break;
    const partStart = afterDelimiter + 2;
    const next = raw.indexOf(delimiter, partStart);
    if (next === -1) break;
    // The CRLF before the next delimiter belongs to the delimiter, not to the content.
    const part = raw.subarray(partStart, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const headerText = part.subarray(0, headerEnd).toString('utf8');
      const content = part.subarray(headerEnd + 4);
      const name = /name="([^"]*)"/i.exec(headerText)?.[1];
      const filename = /filename="([^"]*)"/i.exec(headerText)?.[1];
      const type = /^content-type:\s*(.+)$/im.exec(headerText)?.[1]?.trim();
      if (name !== undefined) {
        fields[name] =
          filename === undefined
            ? content.toString('utf8')
            : { filename, contentType: type ?? 'application/octet-stream', size: content.length };
      }
    }
    start = next;
  }
  return fields;
}

/** The path of a request target without its query. */
export function pathOf(request: RecordedRequest): string {
  const query = request.path.indexOf('?');
  return query === -1 ? request.path : request.path.slice(0, query);
}

/** Answers with a JSON body; a response whose client went away is left alone. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendBytes(response, status, Buffer.from(JSON.stringify(body)), 'application/json', headers);
}

/** Answers with raw bytes of the given content type. */
export function sendBytes(
  response: ServerResponse,
  status: number,
  bytes: Buffer,
  contentType: string,
  headers: Record<string, string> = {},
): void {
  if (response.destroyed || response.headersSent) return;
  response.writeHead(status, {
    'content-type': contentType,
    'content-length': String(bytes.length),
    ...headers,
  });
  response.end(bytes);
}

/**
 * Waits `ms`, or less when the client goes away first, so a fake told to be slow never outlives
 * the test that made it slow.
 */
export function pause(ms: number, response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    timer.unref();
    response.once('close', done);
    function done(): void {
      clearTimeout(timer);
      response.off('close', done);
      resolve();
    }
  });
}

/**
 * Failures and delays a test queued for a fake's next requests, taken one per request in order.
 */
export class FaultPlan {
  private readonly failures: FakeFailure[] = [];
  private readonly delays: number[] = [];

  /** The next `count` requests are answered with `failure`. */
  failNext(count: number, failure: FakeFailure): void {
    for (let i = 0; i < count; i += 1) this.failures.push(failure);
  }

  /** The next `count` requests are answered only after `ms`. */
  delayNext(count: number, ms: number): void {
    for (let i = 0; i < count; i += 1) this.delays.push(ms);
  }

  /** This request's delay and failure, if any were queued. */
  take(): { delayMs?: number; failure?: FakeFailure } {
    return { delayMs: this.delays.shift(), failure: this.failures.shift() };
  }

  reset(): void {
    this.failures.length = 0;
    this.delays.length = 0;
  }
}

/**
 * Resolves once `predicate` holds for one of `requests` (checked every 5 ms), for work a client
 * does without awaiting it, such as a best-effort cancel. Rejects after `timeoutMs` (default 2000).
 */
export async function waitForRequest(
  requests: readonly RecordedRequest[],
  predicate: (request: RecordedRequest) => boolean,
  timeoutMs = 2000,
): Promise<RecordedRequest> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = requests.find(predicate);
    if (found !== undefined) return found;
    if (Date.now() >= deadline) {
      const seen = requests.map((r) => `${r.method} ${r.path}`).join(', ');
      throw new Error(`no matching request within ${timeoutMs} ms; saw: ${seen || 'none'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
