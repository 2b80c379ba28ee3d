import type { OutboxPublisher } from './outbox-publisher';
import type { RecentRuns } from './recent-runs';
import type { RunStore, VersionedClear } from './run-store';
import type { StoredRun } from './stored-run';

/** How often, by default, the entries no change removed are flushed, all in one bulk write. */
const FLUSH_EVERY_MS = 250;

/** How an engine defers its clears (see DeferredClears.start). */
export interface DeferOptions {
  /**
   * The age at which the sweeper takes an outbox entry for orphaned and publishes it again. A
   * flush runs every quarter of it at least, so published entries are gone long before.
   */
  sweepAfterMs: number;
  /** How often the flush runs, or every quarter of `sweepAfterMs` if sooner. Default: 250 ms. */
  flushEveryMs?: number;
}

/**
 * Published entries of one run, not yet removed from its document; with the version they were
 * written at and the whole outbox it held then, when the entries are all of that version's.
 */
interface Uncleared {
  ids: Set<string>;
  written?: { v: number; outbox: readonly string[] };
}

/**
 * Outbox messages an engine published but left in their runs' documents: the run's next write
 * removes them in the same update, so a step costs one database write instead of two. The rest
 * are removed by a flush on its own timer, well before the sweeper's age, and once more when the
 * last starter stops. Only while started; otherwise nothing is deferred.
 */
export class DeferredClears {
  private readonly byRun = new Map<string, Uncleared>();
  /** Starts not yet stopped: an engine shared by several owners defers until the last stops. */
  private starts = 0;
  private flushEveryMs = Infinity;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly store: RunStore,
    private readonly publisher: OutboxPublisher,
    private readonly recent: RecentRuns,
  ) {}

  /** True while published entries are left for the run's next write or the flush. */
  get deferring(): boolean {
    return this.starts > 0;
  }

  /** Defers clears from now on, flushing every `flushEveryMs` (the shortest any start asked). */
  start(options: DeferOptions): void {
    const every = Math.min(options.flushEveryMs ?? FLUSH_EVERY_MS, options.sweepAfterMs / 4);
    this.starts += 1;
    if (every >= this.flushEveryMs) return;
    this.flushEveryMs = every;
    // A flush under way schedules the next itself, at the new interval.
    if (this.flushing) return;
    clearTimeout(this.timer);
    this.schedule();
  }

  /**
   * Ends one start. After the last, clears are no longer deferred, and what is still waiting is
   * flushed before this resolves.
   */
  async stop(): Promise<void> {
    if (this.starts === 0) return;
    this.starts -= 1;
    if (this.starts > 0) return;
    this.flushEveryMs = Infinity;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
    await this.flush();
  }

  /** The entries of the run published and not yet removed. */
  of(runId: string): ReadonlySet<string> | undefined {
    return this.byRun.get(runId)?.ids;
  }

  /** Entries of `run` just published; `run` as written, so its version can clear them at once. */
  record(run: Pick<StoredRun, 'id' | 'v' | 'outbox'>, sent: readonly string[]): void {
    if (sent.length === 0) return;
    const pending = this.byRun.get(run.id) ?? { ids: new Set<string>() };
    for (const id of sent) pending.ids.add(id);
    // Entries of an earlier version still waiting: that version's outbox is not this one.
    if (pending.ids.size === sent.length) {
      pending.written = { v: run.v, outbox: Object.keys(run.outbox ?? {}) };
    } else {
      delete pending.written;
    }
    this.byRun.set(run.id, pending);
  }

  /** Entries a write removed (the run's next change, or the sweeper's clear). */
  forget(runId: string, ids: readonly string[]): void {
    const pending = this.byRun.get(runId);
    if (!pending) return;
    for (const id of ids) pending.ids.delete(id);
    if (pending.ids.size === 0) this.byRun.delete(runId);
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flush().finally(() => {
        this.flushing = undefined;
        if (this.deferring) this.schedule();
      });
    }, this.flushEveryMs);
    // What a process leaves here when it exits, the sweeper publishes again: it need not wait.
    this.timer.unref();
  }

  /**
   * Removes from their runs the published entries no change has removed yet. Runs still at the
   * version they were written at are cleared together, in one bulk write of compare-and-sets; a
   * run another writer changed since (or any run, when that write fails) is cleared on its own.
   * Never throws: what could not be cleared waits for the next flush.
   */
  private async flush(): Promise<void> {
    const pending = [...this.byRun];
    this.byRun.clear();
    // Cleared outside a version change: the cached copies' outboxes are stale now.
    for (const [runId] of pending) this.recent.forget(runId);
    const versioned: VersionedClear[] = [];
    let oneByOne: typeof pending = [];
    for (const entry of pending) {
      const [runId, { ids, written }] = entry;
      if (written) versioned.push({ runId, ids, ...written });
      else oneByOne.push(entry);
    }
    if (versioned.length > 0) {
      try {
        if (!(await this.store.clearAtVersions(versioned))) oneByOne = pending;
      } catch {
        oneByOne = pending;
      }
    }
    for (const [runId, { ids }] of oneByOne) {
      try {
        await this.publisher.clear({ id: runId }, [...ids]);
      } catch {
        // The database is away: the next flush tries again (the sweeper meanwhile knows them
        // published). Should this process die first, the sweeper publishes them again.
        const again = this.byRun.get(runId) ?? { ids: new Set<string>() };
        for (const id of ids) again.ids.add(id);
        delete again.written;
        this.byRun.set(runId, again);
      }
    }
  }
}
