import { WeftApiError, WeftConnectionError } from './errors';
import { backoffDelayMs, neverSent, parseRetryAfter, type RetryPolicy } from './retry-policy';

/** The methods the API uses. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Bytes a call sends as they are (an artifact upload): a `Buffer` is a `Uint8Array`; a `Blob`
 * may be a file (`fs.openAsBlob`), read as it is sent; a `ReadableStream` is read as it is sent,
 * so it can be sent only once and the call is never retried.
 */
export type BytesBody = Uint8Array | Blob | ReadableStream<Uint8Array>;

/** One API call, before it is sent. */
export interface RequestSpec {
  method: HttpMethod;
  /** From the API's root, e.g. `/v1/workflows/runs`; segments already encoded. */
  path: string;
  /** Undefined values are left out. */
  query?: Record<string, string | number | undefined>;
  /** Sent as JSON when given. */
  body?: unknown;
  /** Sent as they are, with `type` as their Content-Type, instead of a JSON `body`. */
  bytes?: { body: BytesBody; type: string };
  /** This call's limit on each attempt, ms, instead of the client's `timeoutMs`; 0: none. */
  timeoutMs?: number;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /**
   * Safe to send again after an unclear failure (a 5xx, a dropped connection): repeating it has
   * no further effect. Default: true for GET, PUT and DELETE, false for POST and PATCH.
   */
  idempotent?: boolean;
}

/** What the transport needs: everything the client was configured with, resolved. */
export interface TransportConfig {
  baseUrl: string;
  apiKey: string | undefined;
  fetch: typeof fetch;
  userAgent: string;
  retry: RetryPolicy;
  /** Each attempt's limit, ms (for a stream: until its headers arrive); 0: none. */
  timeoutMs: number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
  now: () => number;
}

type Received =
  | { kind: 'text'; text: string; response: Response }
  | { kind: 'bytes'; bytes: Uint8Array<ArrayBuffer>; response: Response }
  | { kind: 'stream'; response: Response };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function messageOf(value: unknown): string | undefined {
  // Not `instanceof Error`: fetch's errors may come from another realm (a VM context, a test runner).
  const message = (value as { message?: unknown } | null)?.message;
  return typeof message === 'string' && message !== '' ? message : undefined;
}

function describeFailure(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause;
  return messageOf(cause) ?? messageOf(error) ?? String(error);
}

/** The API's error from an error answer; `http_<status>` when the body is not the API's. */
export async function apiErrorOf(response: Response, retryAfterMs?: number): Promise<WeftApiError> {
  const requestId = response.headers.get('x-request-id') ?? undefined;
  const text = await response.text().catch(() => '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const error = isObject(parsed) ? parsed.error : undefined;
  if (isObject(error) && typeof error.code === 'string' && typeof error.message === 'string') {
    return new WeftApiError({
      status: response.status,
      code: error.code,
      message: error.message,
      details: isObject(error.details) ? error.details : {},
      ...(requestId === undefined ? {} : { requestId }),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  const excerpt = text.trim().slice(0, 200);
  return new WeftApiError({
    status: response.status,
    code: `http_${response.status}`,
    message:
      `HTTP ${response.status} ${response.statusText}`.trim() + (excerpt ? `: ${excerpt}` : ''),
    ...(requestId === undefined ? {} : { requestId }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/**
 * Sends API calls with the key, retrying what is safe to retry: 429 and 503 always (the request
 * did nothing), other 5xx and network failures only for idempotent calls, connection refusals
 * always (nothing was sent). Waits follow `Retry-After` when the answer has one, else exponential
 * backoff with jitter.
 */
export class Transport {
  constructor(readonly config: TransportConfig) {}

  /** The absolute URL of a path and query. */
  url(path: string, query?: RequestSpec['query']): string {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined) search.set(name, String(value));
    }
    const text = search.toString();
    return `${this.config.baseUrl}${path}${text === '' ? '' : `?${text}`}`;
  }

  /** The answer's JSON (undefined for 204). */
  async json<T>(spec: RequestSpec): Promise<T> {
    const received = await this.exchange(spec, 'text');
    if (received.kind !== 'text' || received.text === '') return undefined as T;
    try {
      return JSON.parse(received.text) as T;
    } catch {
      throw new WeftApiError({
        status: received.response.status,
        code: 'invalid_response',
        message: `The API answered ${spec.method} ${spec.path} with a body that is not JSON`,
        details: { excerpt: received.text.slice(0, 200) },
        ...(received.response.headers.get('x-request-id') === null
          ? {}
          : { requestId: received.response.headers.get('x-request-id') as string }),
      });
    }
  }

  /** The answer's bytes, with its headers. */
  async bytes(spec: RequestSpec): Promise<{ bytes: Uint8Array<ArrayBuffer>; response: Response }> {
    const received = await this.exchange(spec, 'bytes');
    return received.kind === 'bytes'
      ? { bytes: received.bytes, response: received.response }
      : { bytes: new Uint8Array(), response: received.response };
  }

  /** The answer with its body unread: the caller reads (and closes) the stream. */
  async stream(spec: RequestSpec): Promise<Response> {
    return (await this.exchange(spec, 'stream')).response;
  }

  private headersOf(spec: RequestSpec): Record<string, string> {
    return {
      accept: 'application/json',
      'user-agent': this.config.userAgent,
      ...(this.config.apiKey === undefined ? {} : { 'x-api-key': this.config.apiKey }),
      ...(spec.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(spec.bytes === undefined ? {} : { 'content-type': spec.bytes.type }),
      ...spec.headers,
    };
  }

  private async exchange(spec: RequestSpec, mode: Received['kind']): Promise<Received> {
    const { retry: configured } = this.config;
    const timeoutMs = spec.timeoutMs ?? this.config.timeoutMs;
    const url = this.url(spec.path, spec.query);
    const idempotent = spec.idempotent ?? (spec.method !== 'POST' && spec.method !== 'PATCH');
    const body =
      spec.bytes?.body ?? (spec.body === undefined ? undefined : JSON.stringify(spec.body));
    // A stream is consumed by sending it: there is nothing left to send again.
    const streamed = body instanceof ReadableStream;
    const policy = streamed ? { ...configured, retries: 0 } : configured;
    for (let retry = 0; ; retry += 1) {
      const timeout = new AbortController();
      const timer = timeoutMs > 0 ? setTimeout(() => timeout.abort(), timeoutMs) : undefined;
      const signal =
        spec.signal === undefined ? timeout.signal : AbortSignal.any([spec.signal, timeout.signal]);
      let response: Response | undefined;
      try {
        response = await this.config.fetch(url, {
          method: spec.method,
          headers: this.headersOf(spec),
          ...(body === undefined ? {} : { body }),
          // fetch sends a stream only when told it may answer before the whole body is sent.
          ...(streamed ? { duplex: 'half' as const } : {}),
          signal,
        });
        if (response.ok) {
          switch (mode) {
            case 'text':
              return { kind: 'text', text: await response.text(), response };
            case 'bytes':
              return {
                kind: 'bytes',
                bytes: new Uint8Array(await response.arrayBuffer()),
                response,
              };
            case 'stream':
              return { kind: 'stream', response };
          }
        }
      } catch (error) {
        if (spec.signal?.aborted) throw spec.signal.reason;
        const failure = timeout.signal.aborted
          ? `no answer within ${timeoutMs} ms`
          : describeFailure(error);
        // A failure after the answer began (its body broke off) may have done the work.
        const safe = idempotent || (response === undefined && neverSent(error));
        if (!safe || retry >= policy.retries) {
          throw new WeftConnectionError(url, `${spec.method} ${url} failed: ${failure}`, {
            cause: error,
          });
        }
        await this.config.sleep(backoffDelayMs(retry, policy, this.config.random), spec.signal);
        continue;
      } finally {
        clearTimeout(timer);
      }

      const status = response.status;
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.config.now());
      // 429 and 503 say the request was not acted on; another 5xx may have done part of the work.
      const notActedOn = status === 429 || status === 503;
      const retryable = notActedOn || (idempotent && status >= 500);
      if (
        retryable &&
        retry < policy.retries &&
        (retryAfterMs === undefined || retryAfterMs <= policy.maxRetryAfterMs)
      ) {
        await response.body?.cancel().catch(() => undefined);
        await this.config.sleep(
          retryAfterMs ?? backoffDelayMs(retry, policy, this.config.random),
          spec.signal,
        );
        continue;
      }
      throw await apiErrorOf(response, retryAfterMs);
    }
  }
}
