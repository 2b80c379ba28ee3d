import type { ServerResponse } from 'node:http';
import { WeftApiError, WeftWaitTimeoutError } from './errors';
import { RunTracker } from './run-tracker';
import { sendError, sendJson, startLocalServer, type LocalServer } from './testing/local-server';
import type { NodeView, RunEvent, RunStatus, RunView } from './types';
import { WeftClient } from './weft-client';

let server: LocalServer;

beforeAll(async () => {
  server = await startLocalServer();
});

afterAll(() => server.close());

beforeEach(() => {
  server.requests.length = 0;
});

function view(status: RunStatus, nodes: Record<string, Partial<NodeView>>): RunView {
  return {
    runId: 'run_1',
    status,
    workflow: { slug: 'demo', version: 1, ephemeral: false, name: 'Demo' },
    input: {},
    nodes: Object.fromEntries(
      Object.entries(nodes).map(([id, node]) => [id, { status: 'pending', attempt: 0, ...node }]),
    ),
    outputs: status === 'completed' ? { a: { ok: true } } : null,
    error: status === 'failed' ? { code: 'node_failed', message: 'a failed', nodeId: 'a' } : null,
    createdAt: '2025-01-01T00:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    statusUrl: 'http://weft.test/v1/workflows/runs/run_1',
  };
}

function client(): WeftClient {
  return new WeftClient({
    url: server.url,
    apiKey: 'k',
    retries: 0,
    sleep: async () => undefined,
  });
}

function sse(response: ServerResponse, frames: string[]): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const frame of frames) response.write(frame);
}

const START = view('running', { a: { status: 'queued', attempt: 1 }, b: {} });
const END = view('completed', {
  a: { status: 'completed', attempt: 1, durationMs: 5 },
  b: { status: 'skipped' },
});

describe('runEvents', () => {
  it('yields the typed events of the stream and sends the key and Last-Event-ID', async () => {
    server.respond((_request, response) => {
      sse(response, [
        `: keep-alive\n\nevent: snapshot\nid: 1\ndata: ${JSON.stringify(START)}\n\n`,
        'event: node\nid: 2\ndata: {"runId":"run_1","nodeId":"a",',
        '"status":"running","attempt":1}\n\nevent: future\ndata: {}\n\n',
        `event: end\nid: 3\ndata: ${JSON.stringify(END)}\n\n`,
      ]);
      response.end();
    });
    const events: RunEvent[] = [];
    for await (const event of client().runEvents('run_1', { lastEventId: '0' })) events.push(event);
    expect(events.map((event) => [event.type, event.id])).toEqual([
      ['snapshot', '1'],
      ['node', '2'],
      ['end', '3'],
    ]);
    expect(events[1]?.data).toEqual({ runId: 'run_1', nodeId: 'a', status: 'running', attempt: 1 });
    const [request] = server.requests;
    expect(request?.url).toBe('/v1/workflows/runs/run_1/events');
    expect(request?.headers).toMatchObject({
      accept: 'text/event-stream',
      'x-api-key': 'k',
      'last-event-id': '0',
    });
  });

  it('refuses an answer that is not an event stream', async () => {
    server.respond((_request, response) => sendJson(response, 200, START));
    const iterate = async () => {
      for await (const _event of client().runEvents('run_1')) return;
    };
    await expect(iterate()).rejects.toMatchObject({ code: 'events_unavailable' });
  });
});

describe('waitForRun', () => {
  it('follows the live events to the end, telling each one', async () => {
    server.respond((_request, response) => {
      sse(response, [
        `event: snapshot\ndata: ${JSON.stringify(START)}\n\n`,
        'event: node\ndata: {"runId":"run_1","nodeId":"a","status":"running","attempt":1}\n\n',
        `event: end\ndata: ${JSON.stringify(END)}\n\n`,
      ]);
      // The stream stays open: the client must close it itself after `end`.
    });
    const seen: string[] = [];
    const final = await client().waitForRun('run_1', {
      onEvent: (event) => seen.push(event.type),
    });
    expect(final).toEqual(END);
    expect(seen).toEqual(['snapshot', 'node', 'end']);
    expect(server.requests).toHaveLength(1);
  });

  it('falls back to polling when the events endpoint is not there, with events made from polls', async () => {
    const polls = [
      START,
      view('running', { a: { status: 'running', attempt: 1 }, b: {} }),
      view('running', { a: { status: 'retrying', attempt: 1 }, b: {} }),
      END,
    ];
    let served = 0;
    server.respond((request, response) => {
      if (request.url.endsWith('/events')) sendError(response, 404, 'not_found');
      else sendJson(response, 200, polls[Math.min(served++, polls.length - 1)]);
    });
    const events: RunEvent[] = [];
    const final = await client().waitForRun('run_1', {
      pollIntervalMs: 1,
      onEvent: (event) => events.push(event),
    });
    expect(final.status).toBe('completed');
    expect(
      events.map((event) =>
        event.type === 'node' ? `${event.data.nodeId}:${event.data.status}` : event.type,
      ),
    ).toEqual(['snapshot', 'a:running', 'a:retrying', 'a:completed', 'b:skipped', 'run', 'end']);
    expect(server.requests.map((r) => r.url)).toEqual([
      '/v1/workflows/runs/run_1/events',
      ...polls.map(() => '/v1/workflows/runs/run_1'),
    ]);
  });

  it('polls when the key holds as many streams as it may', async () => {
    server.respond((request, response) => {
      if (request.url.endsWith('/events')) sendError(response, 429, 'too_many_streams');
      else sendJson(response, 200, END);
    });
    const final = await client().waitForRun('run_1', { pollIntervalMs: 1 });
    expect(final).toEqual(END);
    expect(server.requests.map((r) => r.url).at(-1)).toBe('/v1/workflows/runs/run_1');
  });

  it('polls on from what it knew when the stream breaks off', async () => {
    server.respond((request, response) => {
      if (request.url.endsWith('/events')) {
        sse(response, [`event: snapshot\ndata: ${JSON.stringify(START)}\n\n`]);
        setTimeout(() => response.socket?.destroy(), 20);
      } else {
        sendJson(response, 200, END);
      }
    });
    const seen: string[] = [];
    const final = await client().waitForRun('run_1', { onEvent: (event) => seen.push(event.type) });
    expect(final).toEqual(END);
    // No second snapshot: the poll continues from the stream's state.
    expect(seen).toEqual(['snapshot', 'node', 'node', 'run', 'end']);
  });

  it('polls on when the stream goes silent past its idle limit', async () => {
    server.respond((request, response) => {
      if (request.url.endsWith('/events')) {
        sse(response, [`event: snapshot\ndata: ${JSON.stringify(START)}\n\n`]);
      } else {
        sendJson(response, 200, END);
      }
    });
    const silent = new WeftClient({
      url: server.url,
      apiKey: 'k',
      retries: 0,
      streamIdleTimeoutMs: 100,
      sleep: async () => undefined,
    });
    const seen: string[] = [];
    expect(await silent.waitForRun('run_1', { onEvent: (event) => seen.push(event.type) })).toEqual(
      END,
    );
    expect(seen).toEqual(['snapshot', 'node', 'node', 'run', 'end']);
  });

  it('only polls in poll mode, and returns a failed run as an answer', async () => {
    server.respond((_request, response) =>
      sendJson(response, 200, view('failed', { a: { status: 'failed', attempt: 1 } })),
    );
    const final = await client().waitForRun('run_1', { mode: 'poll' });
    expect(final.error).toEqual({ code: 'node_failed', message: 'a failed', nodeId: 'a' });
    expect(server.requests.map((r) => r.url)).toEqual(['/v1/workflows/runs/run_1']);
  });

  it('gives up after timeoutMs with the last view it saw', async () => {
    server.respond((_request, response) =>
      sse(response, [`event: snapshot\ndata: ${JSON.stringify(START)}\n\n`]),
    );
    const error = await client()
      .waitForRun('run_1', { timeoutMs: 100 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WeftWaitTimeoutError);
    expect(error).toMatchObject({ runId: 'run_1', timeoutMs: 100, run: START });
  });

  it('throws the API’s errors, such as a run that is not there', async () => {
    server.respond((request, response) =>
      request.url.endsWith('/events')
        ? sendError(response, 401, 'invalid_api_key')
        : sendError(response, 404, 'run_not_found'),
    );
    await expect(client().waitForRun('run_1')).rejects.toMatchObject({ code: 'invalid_api_key' });
    await expect(client().waitForRun('run_1', { mode: 'poll' })).rejects.toBeInstanceOf(
      WeftApiError,
    );
  });

  it('runAndWait starts the run, then waits for it', async () => {
    server.respond((request, response) => {
      if (request.method === 'POST') {
        sendJson(response, 202, { runId: 'run_1', status: 'pending', statusUrl: 'x' });
      } else if (request.url.endsWith('/events')) {
        sse(response, [`event: end\ndata: ${JSON.stringify(END)}\n\n`]);
        response.end();
      }
    });
    const final = await client().runAndWait({ workflowSlug: 'demo', input: { prompt: 'p' } });
    expect(final.status).toBe('completed');
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /v1/workflows/run',
      'GET /v1/workflows/runs/run_1/events',
    ]);
  });
});

describe('RunTracker', () => {
  it('keeps the view current from node and run events', () => {
    const tracker = new RunTracker();
    tracker.apply({ type: 'snapshot', data: START });
    tracker.apply({
      type: 'node',
      data: {
        runId: 'run_1',
        nodeId: 'a',
        status: 'failed',
        attempt: 1,
        error: { code: 'x', message: 'y', retryable: false },
      },
    });
    tracker.apply({
      type: 'run',
      data: { runId: 'run_1', status: 'failed', error: { code: 'node_failed', message: 'm' } },
    });
    expect(tracker.view?.nodes.a).toEqual({
      status: 'failed',
      attempt: 1,
      error: { code: 'x', message: 'y', retryable: false },
    });
    expect(tracker.view).toMatchObject({ status: 'failed', error: { code: 'node_failed' } });
    // A poll showing the same state makes no events but the end.
    expect(tracker.changesTo(tracker.view as RunView).map((event) => event.type)).toEqual(['end']);
  });
});
