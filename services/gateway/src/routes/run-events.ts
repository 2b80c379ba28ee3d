import { setTimeout as sleep } from 'node:timers/promises';
import { Router } from 'express';
import { isTerminalRunStatus } from '@weft/core';
import type { StoredRun } from '@weft/store';
import { principalOf } from '../auth';
import type { GatewayDeps } from '../deps';
import { nodeView, runView } from '../run-view';
import { baseUrlOf, statusUrlOf } from '../status-url';
import { runNotFound } from './runs';

/** How often a watched run is read again. */
export const RUN_EVENTS_POLL_MS = 250;
/** A comment this often keeps proxies from closing a quiet stream. */
const KEEP_ALIVE_MS = 15_000;
const RUN_ID = /^run_[0-9a-z]{1,64}$/;

/** The events that take `before` to `after`: each node whose status or attempt changed, then the run. */
function changes(before: StoredRun, after: StoredRun): { event: string; data: unknown }[] {
  const events: { event: string; data: unknown }[] = [];
  for (const [nodeId, node] of Object.entries(after.nodes)) {
    const previous = before.nodes[nodeId];
    if (previous?.status !== node.status || previous.attempt !== node.attempt) {
      events.push({ event: 'node', data: { runId: after.id, nodeId, ...nodeView(node) } });
    }
  }
  if (after.status !== before.status) {
    events.push({
      event: 'run',
      data: {
        runId: after.id,
        status: after.status,
        ...(after.error ? { error: after.error } : {}),
        ...(after.finishedAt !== undefined
          ? { finishedAt: new Date(after.finishedAt).toISOString() }
          : {}),
      },
    });
  }
  return events;
}

/**
 * `GET /v1/workflows/runs/:runId/events`: the run as Server-Sent Events — a `snapshot`, then a
 * `node` event per node transition and a `run` event per run transition, and `end` with the final
 * view when the run ends, after which the stream closes. It reads the run document, so it works
 * behind any gateway instance; a watcher costs one read per RUN_EVENTS_POLL_MS.
 */
export function runEventRoutes(deps: GatewayDeps): Router {
  const router = Router();

  router.get('/runs/:runId/events', async (request, response) => {
    const { appId } = principalOf(response);
    const runId = request.params.runId;
    let run = RUN_ID.test(runId) ? await deps.runs.get(appId, runId) : undefined;
    if (!run) throw runNotFound(runId);
    const statusUrl = statusUrlOf(baseUrlOf(request, deps.publicUrl), runId);

    response.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // Nginx and friends would otherwise buffer the stream.
      'X-Accel-Buffering': 'no',
    });
    response.flushHeaders();
    let sequence = 0;
    const send = (event: string, data: unknown) => {
      sequence += 1;
      response.write(`id: ${sequence}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    let closed = false;
    request.on('close', () => {
      closed = true;
    });
    const keepAlive = setInterval(() => response.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    try {
      send('snapshot', runView(run, statusUrl));
      while (!closed && !isTerminalRunStatus(run.status)) {
        await sleep(RUN_EVENTS_POLL_MS);
        const next = await deps.runs.get(appId, runId);
        if (!next) break;
        for (const change of changes(run, next)) send(change.event, change.data);
        run = next;
      }
      if (!closed) send('end', runView(run, statusUrl));
    } finally {
      clearInterval(keepAlive);
      response.end();
    }
  });

  return router;
}
