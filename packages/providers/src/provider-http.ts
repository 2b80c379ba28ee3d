import axios, { AxiosError, type AxiosInstance } from 'axios';
import { isRetryableCode, isSettledCode, type SettledStepErrorCode } from '@weft/core';
import { ProviderError, type ProviderFacts } from './provider-error';

/**
 * Why a provider call failed; the code decides another attempt (`STEP_ERROR_RETRY`), but for
 * `provider_bad_response`, which says it on the error.
 */
export type ProviderErrorCode =
  /** 429: the provider wants fewer requests; `retryAfterMs` says when to come back. */
  | 'provider_rate_limited'
  /** 5xx: the provider is down or overloaded. */
  | 'provider_unavailable'
  /** 408, or no complete answer within the request's time limit. */
  | 'provider_timeout'
  /** No answer at all: refused or reset connection, DNS failure. */
  | 'provider_unreachable'
  /** 401 or 403: the key is missing, wrong or lacks permission. */
  | 'provider_auth_failed'
  /** Another 4xx: the provider will refuse this request however often it is sent. */
  | 'provider_rejected'
  /** A 2xx whose body is not what the API documents, or a status no rule covers. */
  | 'provider_bad_response'
  /** A request that could not be sent as asked, e.g. a malformed model id. */
  | 'invalid_request'
  /** The caller's AbortSignal fired. */
  | 'aborted';

/** The longest text kept from a provider's error message or any string in its error body. */
const MAX_TEXT = 500;
/** Secrets shorter than this are not scrubbed: replacing them would mangle ordinary words. */
const MIN_SECRET_LENGTH = 6;

export interface ProviderHttpOptions {
  /** Names the provider in error messages, e.g. `openai` or `fal`. */
  provider: string;
  /** The base URL relative paths are appended to, e.g. `https://api.openai.com/v1`. */
  baseUrl: string;
  /**
   * The whole `Authorization` header value, e.g. `Bearer sk-…`. Sent only to the base URL's
   * origin, and scrubbed from every message and detail. Default: none sent.
   */
  authorization?: string;
  /** Time limit of one request in ms, from sending to the last byte of the answer. */
  timeoutMs: number;
}

export interface ProviderRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** A path appended to the base URL (`/chat/completions`), or an absolute URL. */
  url: string;
  /** Sent as JSON, or as multipart when it is a `FormData`. */
  body?: unknown;
  /** `json` (default) parses the answer; `bytes` returns it as a Buffer. */
  responseType?: 'json' | 'bytes';
  /** Aborting it ends the request with a retryable `aborted` error. */
  signal: AbortSignal;
  /** Overrides the client's time limit for this request. */
  timeoutMs?: number;
  /** Sent as `Idempotency-Key`, so a provider that supports it runs a retried request once. */
  idempotencyKey?: string;
}

export interface ProviderResponse<T> {
  status: number;
  data: T;
  /** Lower-cased header names; repeated headers joined with `, `. */
  headers: Record<string, string>;
}

/**
 * HTTP to one provider over one axios instance, with every failure turned into a
 * {@link ProviderError} that never carries the credentials.
 */
export class ProviderHttp {
  private readonly axios: AxiosInstance;
  private readonly provider: string;
  private readonly baseUrl: string;
  private readonly origin: string;
  private readonly timeoutMs: number;
  // ES private fields: neither JSON.stringify nor util.inspect shows them, so logging a client
  // cannot leak the key.
  readonly #authorization: string | undefined;
  readonly #secrets: string[];

  constructor(options: ProviderHttpOptions) {
    this.provider = options.provider;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.origin = new URL(this.baseUrl).origin;
    this.timeoutMs = options.timeoutMs;
    this.#authorization = options.authorization;
    this.#secrets = secretsOf(options.authorization);
    this.axios = axios.create({
      // A redirect could carry the key to another host; providers' APIs do not redirect.
      maxRedirects: 0,
      maxBodyLength: Infinity,
      maxContentLength: Infinity,
      validateStatus: (status) => status >= 200 && status < 300,
    });
  }

  /** The base URL's origin: the only one this client sends credentials to. */
  get baseOrigin(): string {
    return this.origin;
  }

  /** The absolute URL for a path relative to the base URL (or an absolute URL, unchanged). */
  resolve(url: string): string {
    return /^https?:\/\//i.test(url)
      ? url
      : `${this.baseUrl}${url.startsWith('/') ? '' : '/'}${url}`;
  }

  /** Sends one request; resolves on 2xx, otherwise rejects with a {@link ProviderError}. */
  async request<T = unknown>(request: ProviderRequest): Promise<ProviderResponse<T>> {
    const url = this.resolve(request.url);
    const timeoutMs = request.timeoutMs ?? this.timeoutMs;
    const where = { method: request.method, url };
    if (request.signal.aborted) throw this.abortedError(where);

    const controller = new AbortController();
    let abortedBy: 'caller' | 'timeout' | undefined;
    const onAbort = (): void => {
      abortedBy ??= 'caller';
      controller.abort();
    };
    const timer = setTimeout(() => {
      abortedBy ??= 'timeout';
      controller.abort();
    }, timeoutMs);
    request.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await this.axios.request<T>({
        method: request.method,
        url,
        data: request.body,
        headers: this.headersFor(url, request),
        responseType: request.responseType === 'bytes' ? 'arraybuffer' : 'json',
        signal: controller.signal,
      });
      return {
        status: response.status,
        data: response.data,
        headers: headerRecord(response.headers),
      };
    } catch (error) {
      if (!(error instanceof AxiosError)) throw error;
      if (error.response !== undefined) {
        throw this.scrubbed(
          errorFromResponse(this.provider, where, {
            status: error.response.status,
            headers: headerRecord(error.response.headers),
            body: error.response.data,
          }),
        );
      }
      if (abortedBy === 'caller') throw this.abortedError(where);
      if (abortedBy === 'timeout') {
        throw new ProviderError(
          'provider_timeout',
          `${this.provider} did not answer ${describe(where)} within ${timeoutMs} ms`,
          { cause: new Error(`${describe(where)}: timed out after ${timeoutMs} ms`) },
        );
      }
      throw networkError(this.provider, where, error.code);
    } finally {
      clearTimeout(timer);
      request.signal.removeEventListener('abort', onAbort);
    }
  }

  /** A retryable error for a 2xx whose body is not what the API documents. */
  badResponse(request: { method: string; url: string }, problem: string): ProviderError {
    const where = { method: request.method, url: this.resolve(request.url) };
    return new ProviderError(
      'provider_bad_response',
      `${this.provider} answered ${describe(where)} with an unexpected body: ${problem}`,
      { retryable: true, cause: new Error(`${describe(where)}: ${problem}`) },
    );
  }

  /** The retryable error for a call its caller aborted. */
  abortedError(request: { method: string; url: string }): ProviderError {
    const where = { method: request.method, url: this.resolve(request.url) };
    return new ProviderError('aborted', `${this.provider} call aborted: ${describe(where)}`, {
      cause: new Error(`${describe(where)}: aborted`),
    });
  }

  private headersFor(url: string, request: ProviderRequest): Record<string, string> {
    const headers: Record<string, string> = {
      Accept: request.responseType === 'bytes' ? '*/*' : 'application/json',
    };
    // Absolute URLs come from provider answers; credentials go to the configured origin only.
    if (this.#authorization !== undefined && sameOrigin(url, this.origin)) {
      headers.Authorization = this.#authorization;
    }
    if (request.idempotencyKey !== undefined) headers['Idempotency-Key'] = request.idempotencyKey;
    return headers;
  }

  /** The same error with any echo of the credentials removed from its message and details. */
  private scrubbed(error: ProviderError): ProviderError {
    if (this.#secrets.length === 0) return error;
    const scrub = (text: string): string => scrubSecrets(text, this.#secrets);
    const message = scrub(error.message);
    const facts: ProviderFacts = {
      ...error.extra,
      details: trimDetails(error.extra.details, scrub),
    };
    return isSettledCode(error.code)
      ? new ProviderError(error.code, message, facts)
      : new ProviderError(error.code, message, { ...facts, retryable: error.retryable });
  }
}

/**
 * The {@link ProviderError} for an HTTP error answer: the status decides code and retryability,
 * the provider's own message (OpenAI's `error.message`, fal's `detail`) goes into the message.
 */
export function errorFromResponse(
  provider: string,
  request: { method: string; url: string },
  response: { status: number; headers: Record<string, string | undefined>; body: unknown },
  now: number = Date.now(),
): ProviderError {
  const { status } = response;
  const body = decodeBody(response.body);
  const message = providerMessage(body);
  const details = body === undefined || body === '' ? undefined : trimDetails(body, (s) => s);
  const retryAfterMs =
    parseRetryAfterMs(response.headers['retry-after-ms']) ??
    parseRetryAfter(response.headers['retry-after'], now);
  const classified = classifyStatus(status);
  const retryable = classified !== undefined && isRetryableCode(classified.code);
  const summary = classified?.summary ?? 'answered with an unexpected status';
  const wait =
    retryAfterMs === undefined ? '' : `; retry after ${Math.ceil(retryAfterMs / 1000)} s`;
  const text = `${provider} ${summary} (${describe(request)} → ${status}${wait})${message === undefined ? '' : `: ${message}`}`;
  const facts: ProviderFacts = {
    status,
    ...(retryable && retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(details === undefined ? {} : { details }),
    cause: new Error(`${describe(request)} → ${status}`),
  };
  return classified
    ? new ProviderError(classified.code, text, facts)
    : new ProviderError('provider_bad_response', text, { ...facts, retryable: false });
}

/** The code of an error status; undefined for a status no rule covers (e.g. a redirect). */
function classifyStatus(
  status: number,
): { code: ProviderErrorCode & SettledStepErrorCode; summary: string } | undefined {
  if (status === 429) return { code: 'provider_rate_limited', summary: 'rate-limited the request' };
  if (status === 408) return { code: 'provider_timeout', summary: 'timed out the request' };
  if (status === 401 || status === 403) {
    return {
      code: 'provider_auth_failed',
      summary: 'refused the credentials; check the API key',
    };
  }
  if (status >= 500) return { code: 'provider_unavailable', summary: 'is unavailable' };
  if (status >= 400) return { code: 'provider_rejected', summary: 'rejected the request' };
  return undefined;
}

/**
 * Milliseconds to wait from a `Retry-After` value: delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
 * Undefined when absent or unreadable; a date in the past gives 0.
 */
export function parseRetryAfter(
  value: string | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  if (!/[a-z]/i.test(text)) return undefined;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** OpenAI-compatible servers may send `retry-after-ms`, more precise than `Retry-After`. */
function parseRetryAfterMs(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  return Math.ceil(Number(value));
}

function networkError(
  provider: string,
  request: { method: string; url: string },
  code: string | undefined,
): ProviderError {
  // Only the code is kept: an axios error's message and config can hold headers and the key.
  const reason = code !== undefined && /^[A-Z_]+$/.test(code) ? code : 'network error';
  const timedOut = reason === 'ETIMEDOUT' || reason === 'ECONNABORTED';
  return new ProviderError(
    timedOut ? 'provider_timeout' : 'provider_unreachable',
    `${provider} could not be reached for ${describe(request)}: ${reason}`,
    { cause: new Error(`${describe(request)}: ${reason}`) },
  );
}

/** `POST https://host/path`, without credentials in the URL or its query. */
function describe(request: { method: string; url: string }): string {
  return `${request.method} ${safeUrl(request.url)}`;
}

function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

function sameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}

/** An error body as a value: JSON when it parses, text otherwise. */
function decodeBody(body: unknown): unknown {
  let text: string;
  if (Buffer.isBuffer(body)) text = body.toString('utf8');
  else if (body instanceof ArrayBuffer) text = Buffer.from(body).toString('utf8');
  else if (typeof body === 'string') text = body;
  else return body;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text.trim();
  }
}

/** The human message in a provider's error body, if it has one. */
function providerMessage(body: unknown): string | undefined {
  if (typeof body === 'string') return body === '' ? undefined : truncate(collapse(body));
  if (!isRecord(body)) return undefined;
  const { error, detail, message } = body;
  if (isRecord(error) && typeof error.message === 'string') return truncate(error.message);
  if (typeof error === 'string') return truncate(error);
  if (typeof detail === 'string') return truncate(detail);
  if (Array.isArray(detail)) {
    // FastAPI-style validation errors, as fal sends them: [{loc: ['body', 'prompt'], msg}].
    const parts = detail.slice(0, 5).map((item) => {
      if (!isRecord(item)) return JSON.stringify(item);
      const loc = Array.isArray(item.loc) ? item.loc.map(String).join('.') : undefined;
      const msg = typeof item.msg === 'string' ? item.msg : JSON.stringify(item);
      return loc === undefined ? msg : `${loc}: ${msg}`;
    });
    return truncate(parts.join('; '));
  }
  if (typeof message === 'string') return truncate(message);
  return undefined;
}

/** A bounded copy of an error body: safe to store and to show the app that made the call. */
function trimDetails(value: unknown, scrub: (text: string) => string, depth = 0): unknown {
  if (typeof value === 'string') return truncate(scrub(value));
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (depth >= 4) return '…';
  if (Array.isArray(value)) {
    const items = value.slice(0, 20).map((item) => trimDetails(item, scrub, depth + 1));
    return value.length > 20 ? [...items, `… ${value.length - 20} more`] : items;
  }
  if (isRecord(value)) {
    const entries = Object.entries(value)
      .slice(0, 30)
      .map(([key, item]) => [scrub(key), trimDetails(item, scrub, depth + 1)]);
    return Object.fromEntries(entries) as Record<string, unknown>;
  }
  return undefined;
}

function secretsOf(authorization: string | undefined): string[] {
  if (authorization === undefined) return [];
  const token = authorization.replace(/^\S+\s+/, '');
  return [authorization, token].filter((secret) => secret.length >= MIN_SECRET_LENGTH);
}

function scrubSecrets(text: string, secrets: readonly string[]): string {
  return secrets.reduce((scrubbed, secret) => scrubbed.split(secret).join('[redacted]'), text);
}

function headerRecord(headers: unknown): Record<string, string> {
  const record: Record<string, string> = {};
  if (!isRecord(headers)) return record;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || value === null) continue;
    const values: unknown[] = Array.isArray(value) ? value : [value];
    record[name.toLowerCase()] = values.map(headerText).join(', ');
  }
  return record;
}

function headerText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function truncate(text: string): string {
  return text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT)}…`;
}

/** A plain JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
