import { isTerminalRunStatus } from '@weft/core';
import type { StoredRun } from './stored-run';

/** How many recently written runs are kept to skip the read before the next transition. */
const RECENT_RUNS = 5_000;

/**
 * The last version of each run an engine wrote: its next transition tries the compare-and-set on
 * it without reading first, and reads only when another writer got there in between. A copy is
 * only as good as its outbox: whoever changes a document without a new version must forget it.
 */
export class RecentRuns {
  private readonly runs = new Map<string, StoredRun>();

  get(runId: string): StoredRun | undefined {
    return this.runs.get(runId);
  }

  /** Keeps `run` as the newest (an ended run is not: it seldom changes again). */
  remember(run: StoredRun): void {
    this.runs.delete(run.id);
    if (isTerminalRunStatus(run.status)) return;
    if (this.runs.size >= RECENT_RUNS) {
      const oldest = this.runs.keys().next().value;
      if (oldest !== undefined) this.runs.delete(oldest);
    }
    this.runs.set(run.id, run);
  }

  forget(runId: string): void {
    this.runs.delete(runId);
  }

  clear(): void {
    this.runs.clear();
  }
}
