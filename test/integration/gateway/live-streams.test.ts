import { waitFor } from '@weft/infra';
import { parseServerSentEvents, type ReadEvent } from '../../support/server-sent-events';
import { expectApiError, startGatewayFixture, type GatewayFixture } from './gateway-fixture';

/** A stream being read: its events so far, and whether the server has closed it. */
interface OpenStream {
  status: number;
  events: ReadEvent[];
  closed: Promise<void>;
  isClosed(): boolean;
  abort(): void;
}

async function openStream(fx: GatewayFixture, runId: string, apiKey: string): Promise<OpenStream> {
  const controller = new AbortController();
  const response = await fetch(`${fx.url}/v1/workflows/runs/${runId}/events`, {
    headers: { 'x-api-key': apiKey },
    signal: controller.signal,
  });
  let text = '';
  let closed = false;
  const stream: OpenStream = {
    status: response.status,
    events: [],
    closed: Promise.resolve(),
    isClosed: () => closed,
    abort: () => controller.abort(),
  };
  if (response.status !== 200 || !response.body) {
    closed = true;
    await response.body?.cancel();
    return stream;
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  stream.closed = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += value;
        stream.events = parseServerSentEvents(text);
      }
    } catch {
      // Aborted by the test.
    } finally {
      closed = true;
    }
  })();
  return stream;
}

async function startRun(fx: GatewayFixture): Promise<string> {
  // No orchestrator or worker runs here: the run waits on its first step until it is cancelled.
  const started = await fx.request('POST', '/v1/workflows/run', { body: { plan: waiting } });
  expect(started.status).toBe(202);
  return (started.body as { runId: string }).runId;
}

async function newKey(fx: GatewayFixture): Promise<{ id: string; apiKey: string }> {
  const created = await fx.request('POST', '/v1/keys');
  expect(created.status).toBe(201);
  const { key, apiKey } = created.body as { key: { id: string }; apiKey: string };
  return { id: key.id, apiKey };
}

const waiting = {
  name: 'waits',
  steps: [{ id: 'wait', type: 'core/delay', input: { ms: 60_000 } }],
};

const finds = (fx: GatewayFixture) => fx.commands.get('find') ?? 0;

describe('live run streams', () => {
  describe('with the default limits', () => {
    let fx: GatewayFixture;
    beforeAll(async () => {
      fx = await startGatewayFixture('live-streams');
    });
    afterAll(() => fx?.close());

    it('serves every viewer of a run from one watcher, and ends them all when the run ends', async () => {
      const runId = await startRun(fx);
      const viewers = await Promise.all(
        Array.from({ length: 40 }, () => openStream(fx, runId, fx.apiKey)),
      );
      await waitFor(
        'every snapshot',
        async () => (viewers.every((viewer) => viewer.events.length >= 1) ? true : undefined),
        { timeoutMs: 10_000, intervalMs: 20 },
      );
      expect(viewers.map((viewer) => viewer.events[0]?.event)).toEqual(
        viewers.map(() => 'snapshot'),
      );

      // A second of a quiet run: one watcher reads four times, whatever the number of viewers.
      const before = finds(fx);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const reads = finds(fx) - before;
      expect(reads).toBeGreaterThanOrEqual(2);
      expect(reads).toBeLessThanOrEqual(8);

      expect((await fx.request('POST', `/v1/workflows/runs/${runId}/cancel`)).status).toBe(200);
      await Promise.all(viewers.map((viewer) => viewer.closed));
      for (const viewer of viewers) {
        const names = viewer.events.map((event) => event.event);
        expect(names[0]).toBe('snapshot');
        expect(names.slice(-2)).toEqual(['run', 'end']);
        expect(viewer.events.at(-2)?.data).toMatchObject({ runId, status: 'cancelled' });
        expect(viewer.events.at(-1)?.data).toMatchObject({ runId, status: 'cancelled' });
        const ids = viewer.events.map((event) => event.id);
        expect(ids).toEqual([...ids].sort((a, b) => a - b));
        expect(new Set(ids).size).toBe(ids.length);
      }
      expect(fx.liveStreams.size).toBe(0);

      // The run has ended: a new viewer gets its snapshot and its end.
      const late = await openStream(fx, runId, fx.apiKey);
      await late.closed;
      expect(late.events.map((event) => event.event)).toEqual(['snapshot', 'end']);
    });

    it("does not show another app's run, nor count its refused streams", async () => {
      const runId = await startRun(fx);
      const other = await fx.otherApp();
      const response = await fx.request('GET', `/v1/workflows/runs/${runId}/events`, {
        headers: { 'x-api-key': other.apiKey },
      });
      expectApiError(response, 404, 'run_not_found');
      expect(fx.liveStreams.size).toBe(0);
      await fx.request('POST', `/v1/workflows/runs/${runId}/cancel`);
    });
  });

  describe('with limits and key checks of a test', () => {
    let fx: GatewayFixture;
    beforeAll(async () => {
      fx = await startGatewayFixture('live-stream-limits', {
        streams: { maxPerKey: 2, maxPerApp: 3, keyCheckMs: 100 },
      });
    });
    afterAll(() => fx?.close());

    it('holds each key and each app to its number of open streams', async () => {
      const runId = await startRun(fx);
      const second = await newKey(fx);
      const open = [await openStream(fx, runId, fx.apiKey), await openStream(fx, runId, fx.apiKey)];
      expect(open.map((stream) => stream.status)).toEqual([200, 200]);

      const overKey = await fx.request('GET', `/v1/workflows/runs/${runId}/events`);
      expect(expectApiError(overKey, 429, 'too_many_streams').details).toEqual({
        scope: 'key',
        limit: 2,
      });
      const third = await openStream(fx, runId, second.apiKey);
      expect(third.status).toBe(200);
      const overApp = await fx.request('GET', `/v1/workflows/runs/${runId}/events`, {
        headers: { 'x-api-key': second.apiKey },
      });
      expect(expectApiError(overApp, 429, 'too_many_streams').details).toEqual({
        scope: 'app',
        limit: 3,
      });

      // Another app has streams of its own to open.
      const other = await fx.otherApp();
      const theirs = await fx.request('POST', '/v1/workflows/run', {
        body: { plan: waiting },
        headers: { 'x-api-key': other.apiKey },
      });
      const theirStream = await openStream(
        fx,
        (theirs.body as { runId: string }).runId,
        other.apiKey,
      );
      expect(theirStream.status).toBe(200);

      // A viewer leaving makes room.
      open[0]?.abort();
      await waitFor(
        'the stream to be let go',
        async () => (fx.liveStreams.size === 3 ? true : undefined),
        {
          timeoutMs: 5_000,
          intervalMs: 20,
        },
      );
      const again = await openStream(fx, runId, second.apiKey);
      expect(again.status).toBe(200);

      for (const stream of [open[1], third, theirStream, again]) stream?.abort();
      await waitFor(
        'every stream let go',
        async () => (fx.liveStreams.size === 0 ? true : undefined),
        {
          timeoutMs: 5_000,
          intervalMs: 20,
        },
      );
    });

    it('ends the streams of a revoked key, whichever gateway revoked it', async () => {
      const runId = await startRun(fx);
      const revokedHere = await newKey(fx);
      const revokedElsewhere = await newKey(fx);
      const [here, elsewhere, kept] = await Promise.all([
        openStream(fx, runId, revokedHere.apiKey),
        openStream(fx, runId, revokedElsewhere.apiKey),
        openStream(fx, runId, fx.apiKey),
      ]);
      expect([here.status, elsewhere.status, kept.status]).toEqual([200, 200, 200]);

      // Through this gateway's API: at once.
      expect((await fx.request('DELETE', `/v1/keys/${revokedHere.id}`)).status).toBe(200);
      await here.closed;
      expect(here.events.map((event) => event.event)).toEqual(['snapshot']);

      // In the database, as another gateway revokes it: within a key check.
      await fx.apps.revokeKey(fx.appId, revokedElsewhere.id);
      await elsewhere.closed;
      expect(elsewhere.events.map((event) => event.event)).toEqual(['snapshot']);

      expect(kept.isClosed()).toBe(false);
      expectApiError(
        await fx.request('GET', `/v1/workflows/runs/${runId}/events`, {
          headers: { 'x-api-key': revokedElsewhere.apiKey },
        }),
        401,
        'invalid_api_key',
      );
      await fx.request('POST', `/v1/workflows/runs/${runId}/cancel`);
      await kept.closed;
      expect(kept.events.at(-1)?.event).toBe('end');
    });
  });
});
