import type { RunView } from './types';

/**
 * The API answered with an error: `{error: {code, message, details}}`. `code` is the API's stable
 * error code (`run_not_found`, `invalid_input`, …), or `http_<status>` when the answer was not
 * the API's (a proxy's error page, say).
 */
export class WeftApiError extends Error {
  override name = 'WeftApiError';
  /** The HTTP status. */
  readonly status: number;
  /** The API's error code. */
  readonly code: string;
  /** Always an object; e.g. `issues`, `diagnostics`, `retryAfterSeconds`. */
  readonly details: Record<string, unknown>;
  /** The answer's `X-Request-Id`, which the gateway's log line carries too. */
  readonly requestId: string | undefined;
  /** The answer's `Retry-After`, in ms, when it had one. */
  readonly retryAfterMs: number | undefined;

  constructor(init: {
    status: number;
    code: string;
    message: string;
    details?: Record<string, unknown>;
    requestId?: string;
    retryAfterMs?: number;
  }) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? {};
    this.requestId = init.requestId;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/**
 * No answer from the API: the connection was refused or dropped, or the request timed out, on
 * every attempt the retry policy allowed. `cause` is the last network error.
 */
export class WeftConnectionError extends Error {
  override name = 'WeftConnectionError';
  /** The URL that could not be reached. */
  readonly url: string;

  constructor(url: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.url = url;
  }
}

/** `waitForRun` / `runAndWait` gave up waiting: the run goes on. `run` is the last view seen. */
export class WeftWaitTimeoutError extends Error {
  override name = 'WeftWaitTimeoutError';
  readonly runId: string;
  readonly timeoutMs: number;
  readonly run: RunView | undefined;

  constructor(runId: string, timeoutMs: number, run: RunView | undefined) {
    super(`Run ${runId} did not end within ${timeoutMs} ms; it goes on`);
    this.runId = runId;
    this.timeoutMs = timeoutMs;
    this.run = run;
  }
}
