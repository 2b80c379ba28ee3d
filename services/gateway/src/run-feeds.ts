import { isSettledNode, isTerminalRunStatus } from '@weft/core';
import type { Logger } from '@weft/observability';
import type { RunStore, RunUpdate, StoredRun } from '@weft/store';
import { nodeView, runView } from './run-view';

/** How often a followed run's version is read again. */
export const RUN_EVENTS_POLL_MS = 250;

/** One Server-Sent Event as text: `id`, `event` and one `data` line of JSON. */
export function sseEvent(id: number, event: string, data: unknown): string {
  return `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * The events that take `before` to `after`: each node whose status or attempt changed, then the
 * run.
 */
export function runChanges(
  before: StoredRun,
  after: StoredRun,
): { event: string; data: unknown }[] {
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
 * SSE text as bytes: one Buffer written to every stream is shared by their sockets until sent,
 * where a string would be encoded into a copy for each.
 */
export type SseChunk = Buffer;

/** A run view event, rendered for the `statusUrl` a viewer's request implies. */
export type RenderedView = (statusUrl: string) => SseChunk;

/** Someone following a run: a live stream. */
export interface RunFollower {
  /** The events of one change of the run, the same bytes for every follower. */
  changed(chunk: SseChunk): void;
  /** The run ended, or is gone: its `end` event, with the last version of the run. */
  ended(end: RenderedView): void;
}

/** Following a run: the follower's `snapshot` event, and how to stop. */
export interface Following {
  snapshot: RenderedView;
  stop: () => void;
}

interface Feed {
  appId: string;
  runId: string;
  /** The latest version read; followers' snapshots show it. */
  run: StoredRun;
  /** Nodes of `run` that are settled: a change of the run is read without them. */
  settled: string[];
  /** The id of the last event sent; the feed numbers events, so all followers share them. */
  id: number;
  followers: Set<RunFollower>;
  /**
   * Snapshot and end events of `run` as rendered so far, by event, id and status URL: viewers
   * arriving together, or all seeing the end, cost one rendering of a large run, not one each.
   */
  rendered: Map<string, SseChunk>;
  timer?: NodeJS.Timeout;
}

/**
 * One watcher per followed run in this gateway, however many streams follow it: every
 * {@link RUN_EVENTS_POLL_MS} it reads the run's version, reads the run again only when that
 * changed (and then without the nodes that cannot have), and turns the change into SSE text once
 * for all followers. A stream then costs a socket write per change, and nothing while the run is
 * quiet.
 */
export class RunFeeds {
  private readonly feeds = new Map<string, Feed>();
  /** Reads of runs nobody follows yet, shared by the viewers arriving meanwhile. */
  private readonly reading = new Map<string, Promise<StoredRun | undefined>>();

  constructor(
    private readonly runs: Pick<RunStore, 'get' | 'versionOf' | 'reread'>,
    private readonly logger: Logger,
    private readonly pollMs: number = RUN_EVENTS_POLL_MS,
  ) {}

  /**
   * The app's run as a viewer's snapshot should show it: the followed version, or one read shared
   * with every viewer asking meanwhile, so a crowd arriving at once costs one read of a large run.
   */
  latest(appId: string, runId: string): Promise<StoredRun | undefined> {
    const key = feedKey(appId, runId);
    const followed = this.feeds.get(key);
    if (followed) return Promise.resolve(followed.run);
    let read = this.reading.get(key);
    if (!read) {
      read = this.runs.get(appId, runId).finally(() => this.reading.delete(key));
      this.reading.set(key, read);
    }
    return read;
  }

  /** Follows a run that has not ended, `run` being a version just read. */
  follow(run: StoredRun, follower: RunFollower): Following {
    const key = feedKey(run.appId, run.id);
    let feed = this.feeds.get(key);
    if (!feed) {
      feed = {
        appId: run.appId,
        runId: run.id,
        run,
        settled: settledNodes(run),
        id: 1,
        followers: new Set(),
        rendered: new Map(),
      };
      this.feeds.set(key, feed);
      this.schedule(feed);
    }
    feed.followers.add(follower);
    const joined = feed;
    const id = joined.id;
    return {
      snapshot: (statusUrl) => this.render(joined, 'snapshot', id, statusUrl),
      stop: () => {
        joined.followers.delete(follower);
        if (joined.followers.size === 0) this.drop(joined);
      },
    };
  }

  private schedule(feed: Feed): void {
    feed.timer = setTimeout(() => void this.poll(feed), this.pollMs);
    feed.timer.unref();
  }

  private drop(feed: Feed): void {
    clearTimeout(feed.timer);
    if (this.feeds.get(feedKey(feed.appId, feed.runId)) === feed) {
      this.feeds.delete(feedKey(feed.appId, feed.runId));
    }
  }

  private live(feed: Feed): boolean {
    return this.feeds.get(feedKey(feed.appId, feed.runId)) === feed;
  }

  private async poll(feed: Feed): Promise<void> {
    try {
      const version = await this.runs.versionOf(feed.appId, feed.runId);
      if (!this.live(feed)) return;
      if (version !== feed.run.v) {
        const update =
          version === undefined
            ? undefined
            : await this.runs.reread(feed.appId, feed.runId, feed.settled);
        if (!this.live(feed)) return;
        if (!update) return this.end(feed);
        const next = updated(feed.run, update);
        const events = runChanges(feed.run, next);
        feed.run = next;
        feed.settled = settledNodes(next);
        feed.rendered.clear();
        if (events.length > 0) {
          const chunk = Buffer.from(
            events.map(({ event, data }) => sseEvent(++feed.id, event, data)).join(''),
          );
          for (const follower of [...feed.followers]) follower.changed(chunk);
        }
        if (isTerminalRunStatus(next.status)) return this.end(feed);
      }
    } catch (error) {
      // Nobody follows any longer (the gateway may be closing its database connection meanwhile).
      if (!this.live(feed)) return;
      // The database may be restarting: streams wait for it rather than end.
      this.logger.warn('run feed read failed; trying again', {
        runId: feed.runId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
    if (this.live(feed) && feed.followers.size > 0) this.schedule(feed);
  }

  private end(feed: Feed): void {
    this.drop(feed);
    const id = ++feed.id;
    const end: RenderedView = (statusUrl) => this.render(feed, 'end', id, statusUrl);
    for (const follower of [...feed.followers]) follower.ended(end);
  }

  private render(feed: Feed, event: 'snapshot' | 'end', id: number, statusUrl: string): SseChunk {
    const key = `${event} ${id} ${statusUrl}`;
    let chunk = feed.rendered.get(key);
    if (chunk === undefined) {
      chunk = Buffer.from(sseEvent(id, event, runView(feed.run, statusUrl)));
      feed.rendered.set(key, chunk);
    }
    return chunk;
  }
}

/** `run` as `update` read it again: the nodes it left out are settled, so they are as they were. */
function updated(run: StoredRun, update: RunUpdate): StoredRun {
  return { ...update, input: run.input, nodes: { ...run.nodes, ...update.nodes } };
}

function settledNodes(run: StoredRun): string[] {
  return Object.keys(run.nodes).filter((nodeId) => isSettledNode(run.nodes[nodeId]!));
}

function feedKey(appId: string, runId: string): string {
  return `${appId}/${runId}`;
}
