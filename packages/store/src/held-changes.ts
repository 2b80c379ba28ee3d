import type { Transition, TransitionContext } from '@weft/core';
import { withRecord } from './run-write';
import type { Change, StoredRun } from './stored-run';

/**
 * Changes to one run that were computed and answered but not yet written: the run's next write
 * carries them, or a flush of their own once they have waited long enough.
 */
export interface Held {
  /** The run they were computed on, as stored. */
  readonly base: StoredRun;
  /** The run after them. */
  run: StoredRun;
  readonly transitions: Transition[];
  /** The same changes, to compute again on a run another writer moved on. */
  readonly changes: Change[];
  /** Resolves once they are written (or found to need no write). */
  readonly durable: Promise<void>;
  /**
   * Set when what this process learnt from the run's messages may be stale (another member of
   * the group may have had them): no further answer is computed on `run`; they are written as
   * they are, or computed again if the run moved on.
   */
  stale: boolean;
  settle: () => void;
  timer?: NodeJS.Timeout;
  failures: number;
}

/** The changes held, by run. */
export class HeldChanges {
  private readonly byRun = new Map<string, Held>();

  get(runId: string): Held | undefined {
    return this.byRun.get(runId);
  }

  all(): Held[] {
    return [...this.byRun.values()];
  }

  /**
   * Holds `transition`, computed on `on`: the run as stored when nothing is held for it yet, else
   * the run after what is held, which it joins.
   */
  hold(runId: string, on: StoredRun, change: Change, transition: Transition): Held {
    const run = withRecord(on, transition.run);
    const held = this.byRun.get(runId);
    if (held) {
      held.run = run;
      held.transitions.push(transition);
      held.changes.push(change);
      return held;
    }
    let settle = () => {};
    const durable = new Promise<void>((resolve) => (settle = resolve));
    const fresh: Held = {
      base: on,
      run,
      transitions: [transition],
      changes: [change],
      durable,
      stale: false,
      settle,
      failures: 0,
    };
    this.byRun.set(runId, fresh);
    return fresh;
  }

  /** `held` is written, or needs no write: it stops being held. */
  settle(runId: string, held: Held): void {
    clearTimeout(held.timer);
    held.timer = undefined;
    if (this.byRun.get(runId) === held) this.byRun.delete(runId);
    held.settle();
  }

  /**
   * The run's held changes applied to `run`: as computed if `run` is the one they were computed
   * on, else computed again on it.
   */
  appliedTo(
    runId: string,
    run: StoredRun,
    context: TransitionContext,
  ): { held?: Held; run: StoredRun; transitions: Transition[] } {
    const held = this.byRun.get(runId);
    if (!held) return { run, transitions: [] };
    if (run === held.base) return { held, run: held.run, transitions: [...held.transitions] };
    const transitions: Transition[] = [];
    for (const change of held.changes) {
      const transition = change(run, context);
      transitions.push(transition);
      if (transition.changed) run = withRecord(run, transition.run);
    }
    return { held, run, transitions };
  }
}
