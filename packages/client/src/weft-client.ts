import type { CallOptions } from './call-options';
import { ArtifactsApi, CollectionsApi, IndexesApi } from './data-api';
import { WeftApiError, WeftConnectionError } from './errors';
import { AdminApi } from './admin-api';
import { KeysApi } from './keys-api';
import { TaskTypesApi } from './task-types-api';
import { segment } from './path-segment';
import { DEFAULT_RETRY_POLICY, sleep as defaultSleep } from './retry-policy';
import { runEventOf } from './run-events';
import { RunsApi } from './runs-api';
import { SeedApi } from './seed-api';
import { readServerSentEvents } from './sse-parser';
import { Transport } from './transport';
import type { RunEvent, RunView, StartRunRequest } from './types';
import { waitForRun, type WaitOptions } from './wait-for-run';
import { WebhooksApi } from './webhooks-api';
import { WorkflowsApi } from './workflows-api';

/** Where the client finds the API when neither `url` nor `WEFT_URL` says: `npm start`'s gateway. */
export const DEFAULT_WEFT_URL = 'http://127.0.0.1:8080';

/** This package's version, sent in the default User-Agent. */
export const CLIENT_VERSION = '0.1.0';

/** How to reach the API, and how hard to try. */
export interface WeftClientOptions {
  /** The API's base URL. Default: env `WEFT_URL`, else `http://127.0.0.1:8080`. */
  url?: string;
  /** Sent as `X-API-Key`. Default: env `WEFT_API_KEY`; none: calls fail with 401 `missing_api_key`. */
  apiKey?: string;
  /**
   * The gateway's `ADMIN_TOKEN`, sent by `admin` calls only (as `Authorization: Bearer`).
   * Default: env `WEFT_ADMIN_TOKEN`; none: admin calls fail with 401 `missing_admin_token`.
   */
  adminToken?: string;
  /** The fetch to use. Default: the global fetch. */
  fetch?: typeof fetch;
  /** Retries after the first attempt, on 429, 5xx and network failures where safe. Default: 3. */
  retries?: number;
  /** The User-Agent header. Default: `weft-client/0.1.0`. */
  userAgent?: string;
  /** Each attempt's time limit, ms; a live event stream's only until it opens. 0: none. Default: 30000. */
  timeoutMs?: number;
  /** The first retry's delay before jitter, ms; each further one doubles. Default: 500. */
  retryBaseDelayMs?: number;
  /** No backoff delay exceeds this, ms. Default: 20000. */
  retryMaxDelayMs?: number;
  /** A `Retry-After` longer than this is not waited for (the error is thrown), ms. Default: 60000. */
  maxRetryAfterMs?: number;
  /**
   * A live event stream that sends nothing (not even its 15 s keep-alive) for this long is taken
   * for a dead connection: `runEvents` throws WeftConnectionError, `waitForRun` polls on, ms.
   * Default: 60000.
   */
  streamIdleTimeoutMs?: number;
  /** How the client waits between retries and polls; tests inject one. Default: a timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Random numbers in [0, 1), for jitter. Default: Math.random. */
  random?: () => number;
}

/** Options of {@link WeftClient.runEvents}. */
export interface RunEventsOptions extends CallOptions {
  /** Resume after this event id (sent as `Last-Event-ID`). */
  lastEventId?: string;
  /** Overrides the client's `streamIdleTimeoutMs` for this stream. */
  idleTimeoutMs?: number;
}

function environment(): Record<string, string | undefined> {
  return typeof process === 'undefined' ? {} : process.env;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

/**
 * The typed client of Weft's HTTP API. Every method maps to one route (see
 * services/gateway/README.md) and throws WeftApiError for the API's errors, WeftConnectionError
 * when the API cannot be reached.
 */
export class WeftClient {
  /** The API's base URL, without a trailing slash. */
  readonly url: string;
  readonly runs: RunsApi;
  readonly workflows: WorkflowsApi;
  readonly artifacts: ArtifactsApi;
  readonly collections: CollectionsApi;
  readonly indexes: IndexesApi;
  readonly taskTypes: TaskTypesApi;
  readonly keys: KeysApi;
  readonly webhooks: WebhooksApi;
  /** The seed API at `/api`: workflows by id and their executions. */
  readonly api: SeedApi;
  /** Apps and any app's keys, with the admin token. */
  readonly admin: AdminApi;
  private readonly transport: Transport;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly streamIdleTimeoutMs: number;

  constructor(options: WeftClientOptions = {}) {
    const env = environment();
    this.url = (nonEmpty(options.url) ?? nonEmpty(env.WEFT_URL) ?? DEFAULT_WEFT_URL).replace(
      /\/+$/,
      '',
    );
    const fetchImpl = options.fetch ?? globalThis.fetch;
    if (typeof fetchImpl !== 'function') {
      throw new TypeError('No fetch available: pass options.fetch (Node 18+ has a global one)');
    }
    this.sleep = options.sleep ?? defaultSleep;
    this.streamIdleTimeoutMs = options.streamIdleTimeoutMs ?? 60_000;
    this.transport = new Transport({
      baseUrl: this.url,
      apiKey: nonEmpty(options.apiKey) ?? nonEmpty(env.WEFT_API_KEY),
      // Called unbound: a browser's fetch refuses to run with `this` set to another object.
      fetch: (input, init) => fetchImpl(input, init),
      userAgent: options.userAgent ?? `weft-client/${CLIENT_VERSION}`,
      retry: {
        retries: Math.max(0, Math.floor(options.retries ?? DEFAULT_RETRY_POLICY.retries)),
        baseDelayMs: options.retryBaseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
        maxDelayMs: options.retryMaxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
        maxRetryAfterMs: options.maxRetryAfterMs ?? DEFAULT_RETRY_POLICY.maxRetryAfterMs,
      },
      timeoutMs: options.timeoutMs ?? 30_000,
      sleep: this.sleep,
      random: options.random ?? Math.random,
      now: () => Date.now(),
    });
    this.runs = new RunsApi(this.transport);
    this.workflows = new WorkflowsApi(this.transport);
    this.artifacts = new ArtifactsApi(this.transport);
    this.collections = new CollectionsApi(this.transport);
    this.indexes = new IndexesApi(this.transport);
    this.taskTypes = new TaskTypesApi(this.transport);
    this.keys = new KeysApi(this.transport);
    this.webhooks = new WebhooksApi(this.transport);
    this.api = new SeedApi(this.transport);
    this.admin = new AdminApi(
      this.transport,
      nonEmpty(options.adminToken) ?? nonEmpty(env.WEFT_ADMIN_TOKEN),
    );
  }

  /** True when the client has an API key to send. */
  get hasApiKey(): boolean {
    return this.transport.config.apiKey !== undefined;
  }

  /**
   * A run's live events (`GET /v1/workflows/runs/:runId/events`): a `snapshot` of the run first,
   * then `node` and `run` changes, and `end` with the final view, after which the stream ends.
   * Throws WeftApiError 404 when the run, or the endpoint, does not exist; `events_unavailable`
   * when the answer is not an event stream. Stop early with `break` or the signal.
   */
  async *runEvents(
    runId: string,
    options: RunEventsOptions = {},
  ): AsyncGenerator<RunEvent, void, undefined> {
    const idle = new AbortController();
    const signal =
      options.signal === undefined ? idle.signal : AbortSignal.any([options.signal, idle.signal]);
    const path = `/v1/workflows/runs/${segment(runId)}/events`;
    const response = await this.transport.stream({
      method: 'GET',
      path,
      headers: {
        accept: 'text/event-stream',
        'cache-control': 'no-cache',
        ...(options.lastEventId === undefined ? {} : { 'last-event-id': options.lastEventId }),
      },
      signal,
    });
    const type = response.headers.get('content-type') ?? '';
    if (!type.startsWith('text/event-stream') || response.body === null) {
      await response.body?.cancel().catch(() => undefined);
      throw new WeftApiError({
        status: response.status,
        code: 'events_unavailable',
        message: `The API answered the run's events with ${type || 'no content type'}, not an event stream`,
        ...(response.headers.get('x-request-id') === null
          ? {}
          : { requestId: response.headers.get('x-request-id') as string }),
      });
    }
    // A connection can die without a word (a proxy, a sleeping laptop): silence past the
    // server's keep-alives means it did.
    const idleMs = options.idleTimeoutMs ?? this.streamIdleTimeoutMs;
    let timer = setTimeout(() => idle.abort(), idleMs);
    const watched = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          clearTimeout(timer);
          timer = setTimeout(() => idle.abort(), idleMs);
          controller.enqueue(chunk);
        },
      }),
    );
    try {
      for await (const message of readServerSentEvents(watched)) {
        const event = runEventOf(message);
        if (event !== undefined) yield event;
      }
    } catch (error) {
      if (idle.signal.aborted && options.signal?.aborted !== true) {
        throw new WeftConnectionError(
          this.transport.url(path),
          `The run's event stream sent nothing for ${idleMs} ms`,
          { cause: error },
        );
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Waits until a run ends and returns its final view, whichever way it ended (check `status`).
   * Follows the live events by default, polling when they are unavailable.
   */
  waitForRun(runId: string, options: WaitOptions = {}): Promise<RunView> {
    return waitForRun(
      {
        get: (id, call) => this.runs.get(id, call),
        events: (id, call) => this.runEvents(id, call),
        sleep: this.sleep,
      },
      runId,
      options,
    );
  }

  /** Starts a run and waits until it ends: {@link RunsApi.start}, then {@link waitForRun}. */
  async runAndWait(request: StartRunRequest, options: WaitOptions = {}): Promise<RunView> {
    const started = await this.runs.start(
      request,
      options.signal === undefined ? {} : { signal: options.signal },
    );
    return this.waitForRun(started.runId, options);
  }
}
