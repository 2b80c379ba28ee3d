import { WeftApiError, WeftConnectionError, WeftWaitTimeoutError } from './errors';
import { RunTracker } from './run-tracker';
import type { RunEvent, RunView } from './types';
import { isTerminalRunStatus } from './types';

/** How to wait for a run to end. */
export interface WaitOptions {
  /**
   * `sse` follows the run's live events, and polls when the events endpoint is unavailable (or
   * the stream breaks off); `poll` only polls. Default: `sse`.
   */
  mode?: 'sse' | 'poll';
  /** Between polls, ms. Default: 1000. */
  pollIntervalMs?: number;
  /** Gives up after this long with WeftWaitTimeoutError (the run goes on), ms. Default: never. */
  timeoutMs?: number;
  /**
   * Called with every event: `snapshot` first, then `node` and `run` changes, `end` last. When
   * polling, the events are made from the differences between successive polls.
   */
  onEvent?: (event: RunEvent) => void;
  /** Stops waiting, rejecting with the signal's reason. */
  signal?: AbortSignal;
}

/** What waiting needs of the client. */
export interface WaitDeps {
  get(runId: string, options: { signal: AbortSignal }): Promise<RunView>;
  events(runId: string, options: { signal: AbortSignal }): AsyncIterable<RunEvent>;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Default time between polls, ms. */
export const DEFAULT_POLL_INTERVAL_MS = 1000;

/** Answers that mean "this server has no live events" (an older gateway, a proxy that refuses). */
function eventsUnavailable(error: unknown): boolean {
  // The stream went silent, or could not be opened: polling (with its own retries) carries on.
  if (error instanceof WeftConnectionError) return true;
  if (!(error instanceof WeftApiError)) {
    // The stream broke off after it had begun (fetch's "terminated"): polling carries on. By
    // name, not instanceof: fetch's errors may come from another realm.
    return (error as { name?: unknown } | null)?.name === 'TypeError';
  }
  return (
    error.code === 'events_unavailable' ||
    error.code === 'invalid_event' ||
    // The key or app holds as many streams as the gateway allows: polling costs no stream.
    error.code === 'too_many_streams' ||
    [404, 405, 406, 501].includes(error.status)
  );
}

/** Follows the live events; the final view, or undefined when polling has to take over. */
async function follow(
  deps: WaitDeps,
  runId: string,
  signal: AbortSignal,
  tracker: RunTracker,
  onEvent: ((event: RunEvent) => void) | undefined,
): Promise<RunView | undefined> {
  const events = deps.events(runId, { signal })[Symbol.asyncIterator]();
  try {
    for (;;) {
      let next: IteratorResult<RunEvent>;
      try {
        next = await events.next();
      } catch (error) {
        if (signal.aborted || !eventsUnavailable(error)) throw error;
        return undefined;
      }
      if (next.done === true) return undefined;
      // Outside the try: an error thrown by onEvent is the caller's, never a reason to poll.
      tracker.apply(next.value);
      onEvent?.(next.value);
      if (next.value.type === 'end') return next.value.data;
    }
  } finally {
    // Closes the stream (and its connection) when we stop early.
    await events.return?.();
  }
}

/**
 * Waits until the run ends and returns its final view (completed, failed, cancelled or timed
 * out: a run that failed is an answer, not an error). Throws WeftWaitTimeoutError after
 * `timeoutMs`, and the API's errors (`run_not_found`…) as WeftApiError.
 */
export async function waitForRun(
  deps: WaitDeps,
  runId: string,
  options: WaitOptions = {},
): Promise<RunView> {
  const tracker = new RunTracker();
  const deadline = new AbortController();
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => deadline.abort(), options.timeoutMs);
  const signal =
    options.signal === undefined
      ? deadline.signal
      : AbortSignal.any([options.signal, deadline.signal]);
  try {
    if ((options.mode ?? 'sse') === 'sse') {
      const ended = await follow(deps, runId, signal, tracker, options.onEvent);
      if (ended !== undefined) return ended;
    }
    const interval = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    for (;;) {
      const view = await deps.get(runId, { signal });
      for (const event of tracker.changesTo(view)) options.onEvent?.(event);
      if (isTerminalRunStatus(view.status)) return view;
      await deps.sleep(interval, signal);
      if (signal.aborted) throw signal.reason;
    }
  } catch (error) {
    if (deadline.signal.aborted && options.signal?.aborted !== true) {
      throw new WeftWaitTimeoutError(runId, options.timeoutMs ?? 0, tracker.view);
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
