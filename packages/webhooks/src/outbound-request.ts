import * as http from 'node:http';
import * as https from 'node:https';
import {
  checkLiteralHost,
  checkOutboundUrl,
  guardedLookup,
  OutboundUrlError,
  type AddressPolicy,
} from './ssrf-guard';

/** Sent on every outbound request so receivers can tell Weft's traffic apart. */
export const USER_AGENT = 'Weft-Webhooks/1.0';

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_MAX_REDIRECTS = 3;
const SNIPPET_BYTES = 1024;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Headers the transport owns; a caller's value would contradict the body or the connection. */
const RESERVED_HEADERS = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'content-type',
  'user-agent',
]);

/** Why an outbound request produced no HTTP response. */
export type OutboundErrorCode =
  | 'timeout'
  | 'connection_failed'
  | 'address_not_allowed'
  | 'url_not_allowed'
  | 'invalid_url'
  | 'aborted';

/** One POST attempt as the caller judges it; network failures are reported here, not thrown. */
export interface OutboundResult {
  /** True for a 2xx response. */
  ok: boolean;
  /** The response status, when there was a response. */
  status?: number;
  /** From `Retry-After` (seconds or HTTP-date): how long the receiver asked us to wait. */
  retryAfterMs?: number;
  /** From starting the request to the end of reading the snippet. */
  durationMs: number;
  /** The first 1 KiB of the response body as text, when there was one. */
  responseSnippet?: string;
  /** Why there was no response; absent whenever `status` is set. */
  error?: { code: OutboundErrorCode; message: string };
}

/** A JSON POST to a receiver. */
export interface PostJsonRequest extends AddressPolicy {
  url: string;
  /** Sent exactly as given; signatures are computed over these bytes. */
  body: string;
  /**
   * Extra headers, such as the webhook signature. Host, content-length, transfer-encoding,
   * connection, content-type and user-agent are set here and a caller's values are dropped.
   */
  headers?: Record<string, string>;
  /** Limit on connect, send and response together. Default 15000. */
  timeoutMs?: number;
  /** Aborts the request; reported as `aborted`. */
  signal?: AbortSignal;
}

/**
 * POSTs `body` as JSON with `User-Agent: Weft-Webhooks/1.0`, through the SSRF guard, without
 * following redirects (a 3xx is the result). Never throws for network failures: they come back as
 * `error`. Rejects only when `headers` holds an invalid name or value, which is a caller bug.
 */
export async function postJson(request: PostJsonRequest): Promise<OutboundResult> {
  const started = performance.now();
  const durationMs = (): number => Math.round(performance.now() - started);
  let url: URL;
  try {
    url = checkOutboundUrl(request.url);
    checkLiteralHost(url, request);
  } catch (error) {
    if (!(error instanceof OutboundUrlError)) throw error;
    return {
      ok: false,
      durationMs: durationMs(),
      error: { code: error.code, message: error.message },
    };
  }
  const headers = outboundHeaders(request.headers ?? {}, {
    bytes: request.body,
    contentType: 'application/json',
  });
  const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = startDeadline(timeoutMs, request.signal);
  try {
    const response = await send(url, 'POST', headers, request.body, request, deadline.signal);
    const status = response.statusCode ?? 0;
    const retryAfterMs = parseRetryAfter(firstHeader(response.headers['retry-after']));
    const responseSnippet = await readSnippet(response);
    return {
      ok: status >= 200 && status < 300,
      status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      durationMs: durationMs(),
      ...(responseSnippet === undefined ? {} : { responseSnippet }),
    };
  } catch (error) {
    const failure = describeFailure(error, deadline.reason(), url, timeoutMs);
    return { ok: false, durationMs: durationMs(), error: failure };
  } finally {
    deadline.dispose();
  }
}

/** Why `fetchBytes` returned no bytes. */
export type FetchErrorCode = OutboundErrorCode | 'too_many_redirects' | 'http_status' | 'too_large';

/** A failed `fetchBytes`: a stable code, the status when one was received, and the cause. */
export class OutboundRequestError extends Error {
  override name = 'OutboundRequestError';

  constructor(
    readonly code: FetchErrorCode,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Methods whose redirects are followed: asking again elsewhere changes nothing. */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

/** Any request through the SSRF guard, such as an `http_request` step's. */
export interface OutboundRequest extends AddressPolicy {
  /** An upper-case HTTP method token: `GET`, `POST`… */
  method: string;
  url: string;
  /** Extra headers; those the transport owns (host, content-length…) are dropped. */
  headers?: Record<string, string>;
  body?: { bytes: string | Buffer; contentType: string };
  /** Largest response body accepted; a larger one aborts the download. */
  maxBytes: number;
  /** Limit on the whole exchange, every redirect included. Default 15000. */
  timeoutMs?: number;
  /** Aborts the request; thrown as `aborted`. */
  signal?: AbortSignal;
  /**
   * Whether GET and HEAD follow redirects, each re-checked against the SSRF guard (default: they
   * do). Any other method's 3xx is its answer.
   */
  followRedirects?: boolean;
  /** Redirects followed before giving up. Default 3. */
  maxRedirects?: number;
}

/** The answer to an `OutboundRequest`, whatever its status. */
export interface OutboundResponse {
  status: number;
  /** Lower-cased names; a repeated header's values joined with `, `. */
  headers: Record<string, string>;
  bytes: Buffer;
}

/**
 * Sends `request` through the SSRF guard and reads the answer, whatever its status. Throws
 * `OutboundRequestError` when there is no answer to give: a refused URL or address, too many
 * redirects, a body over `maxBytes`, a timeout, an abort or a network failure.
 */
export async function sendRequest(request: OutboundRequest): Promise<OutboundResponse> {
  const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const follows = SAFE_METHODS.has(request.method) && request.followRedirects !== false;
  const maxRedirects = request.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const deadline = startDeadline(timeoutMs, request.signal);
  let url: URL | undefined;
  try {
    let target = request.url;
    for (let redirects = 0; ; redirects += 1) {
      url = checkOutboundUrl(target);
      checkLiteralHost(url, request);
      const headers = outboundHeaders(request.headers ?? {}, request.body);
      const response = await send(
        url,
        request.method,
        headers,
        request.body?.bytes,
        request,
        deadline.signal,
      );
      const status = response.statusCode ?? 0;
      if (follows && REDIRECT_STATUSES.has(status)) {
        response.destroy();
        const location = firstHeader(response.headers.location);
        if (location === undefined) {
          throw new OutboundRequestError(
            'http_status',
            `${url.origin} answered ${status} without a Location`,
            status,
          );
        }
        if (redirects >= maxRedirects) {
          throw new OutboundRequestError(
            'too_many_redirects',
            `More than ${maxRedirects} redirects fetching ${new URL(request.url).origin}`,
            status,
          );
        }
        target = resolveLocation(location, url);
        continue;
      }
      const bytes = await readAtMost(response, request.maxBytes, url);
      return { status, headers: flatHeaders(response.headers), bytes };
    }
  } catch (error) {
    throw toFetchError(error, deadline.reason(), url, timeoutMs);
  } finally {
    deadline.dispose();
  }
}

/** A GET of a resource by URL, such as an image a step reads. */
export interface FetchBytesRequest extends AddressPolicy {
  url: string;
  /** Largest body accepted; a larger one aborts the download. */
  maxBytes: number;
  /** Limit on the whole fetch, every redirect included. Default 15000. */
  timeoutMs?: number;
  /** Aborts the fetch; thrown as `aborted`. */
  signal?: AbortSignal;
  /** Redirects followed, each re-checked against the SSRF guard. Default 3. */
  maxRedirects?: number;
}

/** The body of a 2xx response. */
export interface FetchedBytes {
  bytes: Buffer;
  /** The response's `content-type` header, as sent. */
  contentType: string | undefined;
}

/**
 * GETs `url` through the SSRF guard, following up to `maxRedirects` redirects and checking every
 * hop as if it were the first. Throws `OutboundRequestError` for a refused URL or address, a
 * non-2xx status, a body over `maxBytes`, a timeout or a network failure.
 */
export async function fetchBytes(request: FetchBytesRequest): Promise<FetchedBytes> {
  const response = await sendRequest({ ...request, method: 'GET' });
  const { status } = response;
  if (status < 200 || status >= 300) {
    const origin = new URL(request.url).origin;
    throw new OutboundRequestError('http_status', `${origin} answered ${status}`, status);
  }
  return { bytes: response.bytes, contentType: response.headers['content-type'] };
}

/**
 * Whether another try cannot change this status: a 4xx refused the request itself (but 408, a
 * timeout, and 429, a rate limit); a 5xx or a success may differ next time.
 */
export function isLastingRefusal(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/**
 * Milliseconds to wait from a `Retry-After` value: delay-seconds or an HTTP-date (0 once past).
 * Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, nowMs = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Every HTTP-date form starts with a day name; Date.parse alone accepts numbers like "1.5".
  if (!/^[A-Za-z]{3}/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

type Deadline = {
  signal: AbortSignal;
  /** What ended the request early, if anything did. */
  reason: () => 'timeout' | 'aborted' | undefined;
  dispose: () => void;
};

function startDeadline(timeoutMs: number, callerSignal: AbortSignal | undefined): Deadline {
  const controller = new AbortController();
  let reason: 'timeout' | 'aborted' | undefined;
  const stop = (why: 'timeout' | 'aborted'): void => {
    reason ??= why;
    controller.abort();
  };
  const timer = setTimeout(() => stop('timeout'), timeoutMs);
  const onAbort = (): void => stop('aborted');
  if (callerSignal?.aborted === true) onAbort();
  else callerSignal?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    reason: () => reason,
    dispose: () => {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onAbort);
    },
  };
}

function send(
  url: URL,
  method: string,
  headers: http.OutgoingHttpHeaders,
  body: string | Buffer | undefined,
  policy: AddressPolicy,
  signal: AbortSignal,
): Promise<http.IncomingMessage> {
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      url,
      {
        method,
        headers,
        signal,
        lookup: guardedLookup(policy),
        // A pooled socket was checked under whatever policy opened it, and against the address
        // the name had then; a fresh connection per request keeps the check honest.
        agent: false,
      },
      resolve,
    );
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * The caller's headers (validated; those the transport owns dropped), our user agent, and the
 * body's type and length.
 */
function outboundHeaders(
  extra: Record<string, string>,
  body: { bytes: string | Buffer; contentType: string } | undefined,
): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(extra)) {
    const key = name.toLowerCase();
    if (RESERVED_HEADERS.has(key)) continue;
    http.validateHeaderName(key);
    http.validateHeaderValue(key, value);
    headers[key] = value;
  }
  headers['user-agent'] = USER_AGENT;
  if (body !== undefined) {
    headers['content-type'] = body.contentType;
    headers['content-length'] = Buffer.byteLength(body.bytes);
  }
  return headers;
}

function flatHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

async function readSnippet(response: http.IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response) {
      const buffer = chunk as Buffer;
      chunks.push(buffer);
      size += buffer.length;
      if (size >= SNIPPET_BYTES) break;
    }
  } catch {
    // A body cut short still leaves the status, which is what an attempt is judged by.
  }
  const bytes = Buffer.concat(chunks).subarray(0, SNIPPET_BYTES);
  // Streaming mode holds back a character split by the cut instead of emitting U+FFFD.
  const text = new TextDecoder().decode(bytes, { stream: true });
  return text === '' ? undefined : text;
}

async function readAtMost(
  response: http.IncomingMessage,
  maxBytes: number,
  url: URL,
): Promise<Buffer> {
  const tooLarge = (): OutboundRequestError =>
    new OutboundRequestError(
      'too_large',
      `The response from ${url.origin} is larger than the ${maxBytes}-byte limit`,
      response.statusCode,
    );
  const declared = Number(firstHeader(response.headers['content-length']) ?? NaN);
  if (declared > maxBytes) {
    response.destroy();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    // Leaving the loop destroys the response, so the rest is never downloaded.
    if (size > maxBytes) throw tooLarge();
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, size);
}

function resolveLocation(location: string, base: URL): string {
  try {
    return new URL(location, base).href;
  } catch (error) {
    throw new OutboundRequestError(
      'invalid_url',
      `${base.origin} redirected to an invalid URL`,
      undefined,
      { cause: error },
    );
  }
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function describeFailure(
  error: unknown,
  stoppedBy: 'timeout' | 'aborted' | undefined,
  url: URL | undefined,
  timeoutMs: number,
): { code: OutboundErrorCode; message: string } {
  // Only the origin: paths and query strings can carry tokens.
  const target = url?.origin ?? 'the target';
  if (stoppedBy === 'timeout') {
    return {
      code: 'timeout',
      message: `No complete response from ${target} within ${timeoutMs} ms`,
    };
  }
  if (stoppedBy === 'aborted') {
    return { code: 'aborted', message: `The request to ${target} was aborted` };
  }
  if (error instanceof OutboundUrlError) return { code: error.code, message: error.message };
  const detail = error instanceof Error ? error.message : String(error);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  // Happy-eyeballs failures are AggregateErrors with an empty message; the code still says why.
  const parts = [code !== undefined && !detail.includes(code) ? code : '', detail];
  const reason = parts.filter((part) => part !== '').join(' ') || 'connection failed';
  return { code: 'connection_failed', message: `Could not reach ${target}: ${reason}` };
}

function toFetchError(
  error: unknown,
  stoppedBy: 'timeout' | 'aborted' | undefined,
  url: URL | undefined,
  timeoutMs: number,
): OutboundRequestError {
  if (stoppedBy === undefined && error instanceof OutboundRequestError) return error;
  const failure = describeFailure(error, stoppedBy, url, timeoutMs);
  return new OutboundRequestError(failure.code, failure.message, undefined, { cause: error });
}
