import { useCallback, useEffect, useState } from 'react';
import { isTerminalRunStatus } from '@weft/core';
import type { RunView } from '../api/types';
import { WeftApiError } from '@weft/client';
import { errorMessage, useApi } from '../api-context';
import { applyRunEvent } from './run-events';

/** Waits between reconnections of a dropped event stream. */
const RECONNECT_DELAYS_MS = [500, 1000, 2000, 5000];
/** How often the run is read while the gateway refuses this key another stream. */
const READ_WHILE_REFUSED_MS = 2000;

/** The gateway refused a stream because the key or app holds as many as it may. */
function tooManyStreams(failure: unknown): boolean {
  return failure instanceof WeftApiError && failure.code === 'too_many_streams';
}

/**
 * A run kept up to date from its Server-Sent Events: the snapshot, then each node and run
 * transition, until it ends. A dropped stream reconnects (it starts with a fresh snapshot); while
 * the key may open no more streams, the run is read instead, at each reconnection.
 */
export function useLiveRun(runId: string): {
  run: RunView | undefined;
  error: string | undefined;
  setRun: (run: RunView) => void;
} {
  const api = useApi();
  const [run, setRun] = useState<RunView>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    const controller = new AbortController();
    let latest: RunView | undefined;
    const follow = async () => {
      for (let attempt = 0; !controller.signal.aborted; attempt++) {
        try {
          await api.followRun(
            runId,
            (event) => {
              latest = applyRunEvent(latest, event);
              setRun(latest);
              setError(undefined);
              attempt = 0;
            },
            controller.signal,
          );
        } catch (failure) {
          if (controller.signal.aborted) return;
          if (tooManyStreams(failure)) {
            try {
              latest = await api.getRun(runId);
              setRun(latest);
              setError(undefined);
            } catch (readFailure) {
              if (controller.signal.aborted) return;
              setError(errorMessage(readFailure));
            }
            if (latest !== undefined && isTerminalRunStatus(latest.status)) return;
            await new Promise((resolve) => setTimeout(resolve, READ_WHILE_REFUSED_MS));
            continue;
          }
          const permanent = failure instanceof WeftApiError && failure.status < 500;
          if (latest === undefined || permanent) setError(errorMessage(failure));
          // Not found or not allowed will not change by asking again.
          if (permanent) return;
        }
        if (latest !== undefined && isTerminalRunStatus(latest.status)) return;
        const delay = RECONNECT_DELAYS_MS[Math.min(attempt, RECONNECT_DELAYS_MS.length - 1)];
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    };
    void follow();
    return () => controller.abort();
  }, [api, runId]);

  const replace = useCallback((next: RunView) => setRun(next), []);
  return { run, error, setRun: replace };
}
