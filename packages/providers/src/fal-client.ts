import { setTimeout as sleep } from 'node:timers/promises';
import { ProviderError } from './provider-error';
import { isRecord, ProviderHttp } from './provider-http';

/** Where a run is in fal's queue. */
export type FalQueueStatus = 'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED';

export interface FalLog {
  message: string;
  level?: string;
  timestamp?: string;
}

/** What fal said along with a status. */
export interface FalStatusDetail {
  /** fal's id of the run, for its dashboard and support. */
  requestId: string;
  /** Runs ahead of this one, while IN_QUEUE. */
  queuePosition?: number;
  /** The model's log lines, when fal sends them. */
  logs?: FalLog[];
}

export interface FalClientOptions {
  /** The queue API's base URL. Default: `https://queue.fal.run`. */
  baseUrl?: string;
  /** The fal key, sent as `Authorization: Key <key>`. Default: none, for public models. */
  key?: string;
  /** Pause between status polls in ms. Default: 1000. */
  pollIntervalMs?: number;
  /** Time limit of each HTTP request in ms (not of the whole run). Default: 60000. */
  timeoutMs?: number;
}

export interface FalRunOptions {
  /** Bounds the whole run; aborting it cancels the queued run and throws `aborted`. */
  signal: AbortSignal;
  /** Sent as `Idempotency-Key` with the submit request. */
  idempotencyKey?: string;
  /**
   * Called when the status or queue position changes, starting with IN_QUEUE after the submit.
   * What it throws is ignored: a progress report must never abandon a paid model run.
   */
  onStatus?: (status: FalQueueStatus, detail: FalStatusDetail) => void;
}

/** Consecutive retryable failures of status polls tolerated before the run is given up. */
const MAX_POLL_FAILURES = 3;
/** How long a best-effort cancel may take; nobody waits for it. */
const CANCEL_TIMEOUT_MS = 5000;
const QUEUE_STATUSES: readonly string[] = ['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED'];

interface QueueUrls {
  status: string;
  response: string;
  cancel: string;
}

/**
 * A client of fal's queue API: submit a run, poll its status until COMPLETED, fetch the result.
 * Status polls survive up to 3 consecutive retryable failures, because giving up on a submitted
 * run means paying for it twice when the caller retries.
 */
export class FalClient {
  private readonly http: ProviderHttp;
  private readonly baseUrl: string;
  private readonly pollIntervalMs: number;

  constructor(options: FalClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? 'https://queue.fal.run').replace(/\/+$/, '');
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.http = new ProviderHttp({
      provider: 'fal',
      baseUrl: this.baseUrl,
      authorization: options.key === undefined ? undefined : `Key ${options.key}`,
      timeoutMs: options.timeoutMs ?? 60_000,
    });
  }

  /**
   * Runs `modelId` (e.g. `fal-ai/flux/dev`, `fal-ai/wan/v2.2-5b/text-to-video`) on `input` and
   * returns the model's result JSON. A model that fails answers the result request with an error
   * status, which becomes a {@link ProviderError} like any other (a 422 is not retryable).
   */
  async run(
    modelId: string,
    input: Record<string, unknown>,
    options: FalRunOptions,
  ): Promise<Record<string, unknown>> {
    const appId = appIdOf(modelId);
    const submit = { method: 'POST', url: `/${modelId}` } as const;
    const { data: queued } = await this.http.request({
      ...submit,
      body: input,
      signal: options.signal,
      idempotencyKey: options.idempotencyKey,
    });
    if (!isRecord(queued) || typeof queued.request_id !== 'string' || queued.request_id === '') {
      throw this.http.badResponse(submit, 'no request_id');
    }
    const requestId = queued.request_id;
    const urls = this.queueUrls(appId, requestId, queued);
    const reporter = new StatusReporter(requestId, options.onStatus);
    reporter.report('IN_QUEUE', queued);
    try {
      await this.waitUntilCompleted(urls.status, reporter, options.signal);
    } catch (error) {
      // Nobody will fetch this run's result: stop it rather than keep a GPU busy for nothing.
      this.cancel(urls.cancel);
      throw error;
    }
    const fetch = { method: 'GET', url: urls.response } as const;
    const { data: result } = await this.http.request({ ...fetch, signal: options.signal });
    if (!isRecord(result)) throw this.http.badResponse(fetch, 'the result is not a JSON object');
    return result;
  }

  private async waitUntilCompleted(
    statusUrl: string,
    reporter: StatusReporter,
    signal: AbortSignal,
  ): Promise<void> {
    const poll = { method: 'GET', url: statusUrl } as const;
    let failures = 0;
    let waitMs = this.pollIntervalMs;
    for (;;) {
      try {
        await sleep(waitMs, undefined, { signal });
      } catch {
        throw this.http.abortedError(poll);
      }
      waitMs = this.pollIntervalMs;
      let status: Record<string, unknown>;
      try {
        const { data } = await this.http.request({ ...poll, signal });
        if (!isRecord(data) || typeof data.status !== 'string') {
          throw this.http.badResponse(poll, 'no status');
        }
        if (!QUEUE_STATUSES.includes(data.status)) {
          throw this.http.badResponse(poll, `unknown status ${JSON.stringify(data.status)}`);
        }
        status = data;
      } catch (error) {
        if (!(error instanceof ProviderError) || !error.retryable || error.code === 'aborted') {
          throw error;
        }
        if (failures >= MAX_POLL_FAILURES) throw error;
        failures += 1;
        waitMs = Math.max(this.pollIntervalMs, error.extra.retryAfterMs ?? 0);
        continue;
      }
      failures = 0;
      const current = status.status as FalQueueStatus;
      reporter.report(current, status);
      if (current === 'COMPLETED') return;
    }
  }

  /**
   * The status, result and cancel URLs: fal's own when they point at the configured origin,
   * otherwise built from it, so the key never goes to a host named in an answer.
   */
  private queueUrls(appId: string, requestId: string, queued: Record<string, unknown>): QueueUrls {
    const built = `${this.baseUrl}/${appId}/requests/${encodeURIComponent(requestId)}`;
    const pick = (candidate: unknown, fallback: string): string =>
      typeof candidate === 'string' && originOf(candidate) === this.http.baseOrigin
        ? candidate
        : fallback;
    return {
      status: pick(queued.status_url, `${built}/status`),
      response: pick(queued.response_url, built),
      cancel: pick(queued.cancel_url, `${built}/cancel`),
    };
  }

  private cancel(cancelUrl: string): void {
    void this.http
      .request({ method: 'PUT', url: cancelUrl, signal: AbortSignal.timeout(CANCEL_TIMEOUT_MS) })
      .catch(() => undefined);
  }
}

/** Reports a status when it, or the queue position, differs from the last one reported. */
class StatusReporter {
  private last: string | undefined;

  constructor(
    private readonly requestId: string,
    private readonly onStatus: FalRunOptions['onStatus'],
  ) {}

  report(status: FalQueueStatus, body: Record<string, unknown>): void {
    if (this.onStatus === undefined) return;
    const detail: FalStatusDetail = { requestId: this.requestId };
    if (typeof body.queue_position === 'number') detail.queuePosition = body.queue_position;
    const logs = Array.isArray(body.logs) ? body.logs.filter(isLog) : [];
    if (logs.length > 0) detail.logs = logs;
    const key = `${status}:${detail.queuePosition ?? ''}`;
    if (key === this.last) return;
    this.last = key;
    try {
      this.onStatus(status, detail);
    } catch {
      // Documented on FalRunOptions.onStatus: a failing progress callback must not end the run.
    }
  }
}

/**
 * The owner/app part of a model id, which fal's status, result and cancel URLs use without the
 * endpoint path (`fal-ai/flux` for `fal-ai/flux/dev`).
 */
function appIdOf(modelId: string): string {
  const segments = modelId.split('/');
  const valid =
    segments.length >= 2 && segments.every((segment) => /^[A-Za-z0-9][\w.-]*$/.test(segment));
  if (!valid) {
    throw new ProviderError(
      'invalid_request',
      `"${modelId}" is not a fal model id; expected owner/app[/path], e.g. fal-ai/flux/dev`,
    );
  }
  return segments.slice(0, 2).join('/');
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

function isLog(value: unknown): value is FalLog {
  return isRecord(value) && typeof value.message === 'string';
}
