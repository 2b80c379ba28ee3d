import { Router } from 'express';
import { isTerminalRunStatus } from '@weft/core';
import { principalOf } from '../principal';
import type { GatewayDeps } from '../deps';
import type { LiveStreams } from '../live-streams';
import { sseEvent, type RunFeeds } from '../run-feeds';
import { runView } from '../run-view';
import { baseUrlOf, statusUrlOf } from '../status-url';
import { runNotFound } from './runs';

const RUN_ID = /^run_[0-9a-z]{1,64}$/;

/**
 * `GET /v1/workflows/runs/:runId/events`: the run as Server-Sent Events — a `snapshot`, then a
 * `node` event per node transition and a `run` event per run transition, and `end` with the final
 * view when the run ends, after which the stream closes. It reads the run document, so it works
 * behind any gateway instance. Streams of one run share one watcher ({@link RunFeeds}); each key
 * and app may hold so many open ({@link LiveStreams}), and a revoked key's streams end.
 */
export function runEventRoutes(deps: GatewayDeps, feeds: RunFeeds, streams: LiveStreams): Router {
  const router = Router();

  router.get('/runs/:runId/events', async (request, response) => {
    const principal = principalOf(response);
    const { appId } = principal;
    const runId = request.params.runId;
    const run = RUN_ID.test(runId) ? await feeds.latest(appId, runId) : undefined;
    if (!run) throw runNotFound(runId);
    const stream = streams.admit(principal, response);
    const statusUrl = statusUrlOf(baseUrlOf(request, deps.publicUrl), runId);

    response.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store, no-transform',
      Connection: 'keep-alive',
      // Nginx and friends would otherwise buffer the stream.
      'X-Accel-Buffering': 'no',
    });
    response.flushHeaders();
    if (isTerminalRunStatus(run.status)) {
      stream.write(sseEvent(1, 'snapshot', runView(run, statusUrl)));
      stream.write(sseEvent(2, 'end', runView(run, statusUrl)));
      stream.end();
      return;
    }
    const following = feeds.follow(run, {
      changed: (text) => stream.write(text),
      ended: (end) => {
        stream.write(end(statusUrl));
        stream.end();
      },
    });
    stream.onEnd(following.stop);
    response.on('close', stream.end);
    stream.write(following.snapshot(statusUrl));
  });

  return router;
}
