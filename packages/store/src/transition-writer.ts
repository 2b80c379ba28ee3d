import { randomInt } from 'node:crypto';
import type { Transition, TransitionContext, WorkflowDefinition } from '@weft/core';
import type { DeferredClears } from './deferred-clears';
import type { DefinitionStore } from './definition-store';
import { GroupCommit, type ItemOutcome } from './group-commit';
import { HeldChanges, type Held } from './held-changes';
import { newId } from './ids';
import type { RecentRuns } from './recent-runs';
import type { RunStore, TransitionWrite } from './run-store';
import { composed, withRecord } from './run-write';
import type { Change, StoredRun } from './stored-run';

/** How many times a transition is retried when another writer changed the run first. */
const MAX_CONFLICTS = 50;
/** How long a change that implies no message waits, at most, for its run's next write. */
const HOLD_MS = 200;
/** How long a stopping writer waits for what it holds to be written. */
const STOP_WAIT_MS = 10_000;
/** A held change whose write failed is tried again after this long, doubling to 5 s. */
const HOLD_RETRY_MS = 250;

const DURABLE = Promise.resolve();

/** Nothing: a write of it carries the run's held changes alone. */
const unchanged: Change = (run) => ({ run, messages: [], changed: false });

/** The outcome of applying a transition: the run as stored after it. */
export interface AppliedTransition {
  run: StoredRun;
  /** False when the transition was a no-op (a duplicate or late message): nothing was written. */
  changed: boolean;
}

/** A transition applied at once whose write may come later (see TransitionWriter.writeSoon). */
export interface SoonApplied {
  applied: AppliedTransition | undefined;
  /** Resolves once the change is written; never rejects. */
  durable: Promise<void>;
}

/**
 * What follows a transition written: the engine tells its observers and publishes the messages
 * (`messages`, by id). The promise never rejects.
 */
export type OnWritten = (
  before: StoredRun,
  after: StoredRun,
  messages: ReadonlySet<string>,
) => Promise<void>;

/** What a TransitionWriter works with; the engine that owns it shares the cache and the clears. */
export interface TransitionWriterParts {
  store: RunStore;
  definitions: DefinitionStore;
  /** The runs last written, read instead of the database; kept only while clears are deferred. */
  recent: RecentRuns;
  /** Published entries still in the documents: a write removes those of its run. */
  clears: DeferredClears;
  clock: () => number;
  onWritten: OnWritten;
}

/** The context core's transitions are computed in: the definition, the time, fresh ids. */
export function transitionContext(
  definition: WorkflowDefinition,
  now: number,
  traceparent?: string,
): TransitionContext {
  return {
    definition,
    now,
    random: Math.random,
    newId: () => newId('msg'),
    ...(traceparent !== undefined ? { traceparent } : {}),
  };
}

/**
 * Writes changes to runs with optimistic concurrency: each is computed on the run as this writer
 * last wrote it (or as read), written only if nobody wrote the run in between (its version is
 * unchanged), and on a conflict read again and recomputed. Changes asked for while a write is in
 * flight are written together: per run composed into one, all runs in one bulk write.
 */
export class TransitionWriter {
  private readonly store: RunStore;
  private readonly definitions: DefinitionStore;
  private readonly recent: RecentRuns;
  private readonly clears: DeferredClears;
  private readonly clock: () => number;
  private readonly onWritten: OnWritten;
  /** Transitions, written many runs at a time under load (group commit). */
  private readonly transitions: GroupCommit<AskedTransition, Written>;
  /** Runs read for writeSoon, many in one query under load, as writes are. */
  private readonly reads: GroupCommit<string, StoredRun | undefined>;
  /** Changes answered and not yet written. */
  private readonly held = new HeldChanges();
  /** Runs with a write asked for and not yet answered, and how many. */
  private readonly asked = new Map<string, number>();
  /** Counts `forgetLearnt` calls: what was read before one is not to be answered on after it. */
  private learnt = 0;

  constructor(parts: TransitionWriterParts) {
    this.store = parts.store;
    this.definitions = parts.definitions;
    this.recent = parts.recent;
    this.clears = parts.clears;
    this.clock = parts.clock;
    this.onWritten = parts.onWritten;
    this.transitions = new GroupCommit((asked) => this.writeTransitions(asked));
    this.reads = new GroupCommit(async (runIds) => {
      const runs = await this.store.getManyById([...new Set(runIds)]);
      const byId = new Map(runs.map((run) => [run.id, run]));
      return runIds.map((runId) => ({ ok: true, value: byId.get(runId) }));
    });
  }

  /**
   * Applies `change` to the run (only if it is `appId`'s, when given) and answers once the messages
   * it implies are published, or left for the sweeper; undefined when there is no such run.
   */
  async write(
    runId: string,
    change: Change,
    appId?: string,
  ): Promise<AppliedTransition | undefined> {
    this.asked.set(runId, (this.asked.get(runId) ?? 0) + 1);
    let written: Written;
    try {
      written = await this.transitions.add({ runId, change, appId });
    } finally {
      const left = (this.asked.get(runId) ?? 1) - 1;
      if (left > 0) this.asked.set(runId, left);
      else this.asked.delete(runId);
    }
    await written.published;
    return written.applied;
  }

  /**
   * Applies `change` at once and answers with the run after it; a change that implies no message
   * (a lease granted or renewed, a node done with nothing ready after it) is not written yet: the
   * run's next write carries it, or its own within HOLD_MS. `durable` resolves once it is written,
   * and the message that asked for it must not be acknowledged before.
   *
   * Only for the one process that applies the run's messages, in their order (the owner of its
   * results partition), which must call `forgetLearnt` whenever that may have changed: the answer
   * is computed on the run as this writer knows it, and a copy learnt before another owner had
   * the run may be stale. Another writer's change (a cancel, a timer) is found by the
   * compare-and-set, and the change computed again, but the answer was given.
   */
  async writeSoon(runId: string, change: Change): Promise<SoonApplied> {
    const now = async (): Promise<SoonApplied> => ({
      applied: await this.write(runId, change),
      durable: DURABLE,
    });
    const learnt = this.learnt;
    const trusted = () =>
      learnt === this.learnt && !this.asked.has(runId) && !this.held.get(runId)?.stale;
    if (!trusted()) return now();
    const heldBefore = this.held.get(runId);
    let base = heldBefore?.run ?? this.recent.get(runId);
    const cached = heldBefore === undefined && base !== undefined;
    if (!base) {
      base = await this.reads.add(runId);
      if (!base) return { applied: undefined, durable: DURABLE };
    }
    const definition = await this.definitions.get(base.definitionId);
    // Whatever happened meanwhile (a write asked for, a change held) goes first.
    if (!definition || !trusted() || this.held.get(runId) !== heldBefore) return now();
    const transition = change(base, transitionContext(definition, this.clock(), base.traceparent));
    if (!transition.changed) {
      // A no-op on a cached copy proves nothing: the stored run may have moved on.
      if (cached) return now();
      return { applied: { run: base, changed: false }, durable: DURABLE };
    }
    if (transition.messages.length > 0) return now();
    const held = this.held.hold(runId, base, change, transition);
    if (!held.timer && held.failures === 0) {
      held.timer = setTimeout(() => this.writeHeld(runId, held), HOLD_MS);
    }
    return { applied: { run: held.run, changed: true }, durable: held.durable };
  }

  /**
   * What this process learnt from the runs' messages may be stale (it may have lost and regained
   * their partitions): answers are computed on fresh reads from now on, and what is held is
   * written now.
   */
  forgetLearnt(): void {
    this.learnt += 1;
    this.recent.clear();
    for (const held of this.held.all()) {
      held.stale = true;
      this.writeHeld(held.base.id, held);
    }
  }

  /** Writes what is held now, and waits for it, at most STOP_WAIT_MS (for a stop). */
  async writeHeldNow(): Promise<void> {
    const held = this.held.all();
    for (const one of held) this.writeHeld(one.base.id, one);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(held.map((one) => one.durable)),
      new Promise((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS))),
    ]);
    clearTimeout(timer);
    for (const one of this.held.all()) clearTimeout(one.timer);
  }

  /**
   * The run as this writer last knew it stored, to compare-and-set on without a read: the copy it
   * wrote last, or the one its held changes were computed on.
   */
  private knownRun(runId: string): StoredRun | undefined {
    return this.recent.get(runId) ?? this.held.get(runId)?.base;
  }

  /** Writes the run's held changes on their own, trying again, doubling, until they are. */
  private writeHeld(runId: string, held: Held): void {
    clearTimeout(held.timer);
    held.timer = undefined;
    if (this.held.get(runId) !== held) return;
    this.write(runId, unchanged).then(
      // Written with it, or the run is gone: either way nothing is left to write.
      () => this.held.settle(runId, held),
      () => {
        if (this.held.get(runId) !== held || held.timer) return;
        const delay = Math.min(5_000, HOLD_RETRY_MS * 2 ** held.failures++);
        held.timer = setTimeout(() => this.writeHeld(runId, held), delay);
      },
    );
  }

  /** The transitions of one group commit: per run, composed in one write, or alone. */
  private async writeTransitions(asked: AskedTransition[]): Promise<ItemOutcome<Written>[]> {
    const outcomes: ItemOutcome<Written>[] = [];
    const byRun = new Map<string, PendingTransition[]>();
    for (const [index, item] of asked.entries()) {
      const list = byRun.get(item.runId) ?? [];
      list.push({
        ...item,
        resolve: (applied, published) =>
          (outcomes[index] ??= { ok: true, value: { applied, published } }),
        reject: (error) => (outcomes[index] ??= { ok: false, error }),
      });
      byRun.set(item.runId, list);
    }
    const groups = [...byRun.values()];
    if (groups.length === 1) {
      await this.transitionEachAlone(groups[0] ?? []);
      return outcomes;
    }
    let conflicted: PendingTransition[][];
    try {
      conflicted = await this.writeBatch(groups);
    } catch (error) {
      // The write failed as a whole (the database away): each caller asks again on its own.
      for (const runId of byRun.keys()) this.recent.forget(runId);
      throw error;
    }
    await Promise.all(conflicted.map((group) => this.transitionEachAlone(group)));
    return outcomes;
  }

  /**
   * Group commit: one transition per run, composed of all asked for it, and one bulk write of
   * compare-and-sets for all runs (with one read of those not cached). Returns the groups whose
   * run another writer changed first, or that need a fresh read, for the one-by-one path.
   */
  private async writeBatch(groups: PendingTransition[][]): Promise<PendingTransition[][]> {
    const bases = new Map<string, { run: StoredRun; cached: boolean }>();
    const unread: string[] = [];
    for (const group of groups) {
      const runId = group[0]?.runId ?? '';
      const cached = this.knownRun(runId);
      if (cached) bases.set(runId, { run: cached, cached: true });
      else unread.push(runId);
    }
    if (unread.length > 0) {
      for (const run of await this.store.getManyById(unread)) {
        bases.set(run.id, { run, cached: false });
      }
    }

    const now = this.clock();
    const retry: PendingTransition[][] = [];
    const writes: (TransitionWrite & {
      group: Settled[];
      messages: Set<string>;
      held: Held | undefined;
    })[] = [];
    for (const group of groups) {
      const runId = group[0]?.runId ?? '';
      const base = bases.get(runId);
      if (!base) {
        for (const asked of group) asked.resolve(undefined);
        continue;
      }
      const definition = await this.definitions.get(base.run.definitionId);
      if (!definition) {
        const error = new Error(
          `run ${runId} refers to a missing definition ${base.run.definitionId}`,
        );
        for (const asked of group) asked.reject(error);
        continue;
      }
      const context = transitionContext(definition, now, base.run.traceparent);
      const settled: Settled[] = [];
      let held: Held | undefined;
      let transitions: Transition[];
      let run: StoredRun;
      try {
        ({ held, run, transitions } = this.held.appliedTo(runId, base.run, context));
      } catch (error) {
        for (const asked of group) asked.reject(error);
        continue;
      }
      for (const asked of group) {
        if (asked.appId !== undefined && asked.appId !== run.appId) {
          asked.resolve(undefined);
          continue;
        }
        try {
          const transition = asked.change(run, context);
          transitions.push(transition);
          if (transition.changed) run = withRecord(run, transition.run);
          settled.push({ asked, changed: transition.changed });
        } catch (error) {
          // One bad change fails alone; the others of its run still apply.
          asked.reject(error);
        }
      }
      const transition = composed(transitions, base.run);
      if (!transition.changed) {
        // A no-op on a cached copy proves nothing: the stored run may have moved on. Read it.
        if (base.cached) retry.push(settled.map(({ asked }) => asked));
        else {
          if (held) this.held.settle(runId, held);
          for (const { asked } of settled) asked.resolve({ run: base.run, changed: false });
        }
        continue;
      }
      const cleared = [...(this.clears.of(runId) ?? [])];
      const messages = new Set(transition.messages.map((message) => message.envelope.id));
      writes.push({ group: settled, before: base.run, transition, cleared, messages, held });
    }
    if (writes.length === 0) return retry;

    const afters = await this.store.writeTransitions(writes, now);
    await Promise.all(
      writes.map(async ({ group, before, cleared, messages, held }, index) => {
        const after = afters[index];
        if (!after) {
          this.recent.forget(before.id);
          retry.push(group.map(({ asked }) => asked));
          return;
        }
        if (held) this.held.settle(before.id, held);
        const published = this.won(before, after, cleared, messages);
        for (const { asked, changed } of group) {
          asked.resolve({ run: after, changed }, published);
        }
      }),
    );
    return retry;
  }

  /** The transitions asked for one run, one after another, each read-compute-write on its own. */
  private async transitionEachAlone(group: PendingTransition[]): Promise<void> {
    for (const asked of group) {
      try {
        const { applied, published } = await this.transitionAlone(
          asked.runId,
          asked.change,
          asked.appId,
        );
        asked.resolve(applied, published);
      } catch (error) {
        asked.reject(error);
      }
    }
  }

  private async transitionAlone(runId: string, change: Change, appId?: string): Promise<Written> {
    let cached = this.knownRun(runId);
    if (cached && appId !== undefined && cached.appId !== appId) cached = undefined;
    for (let conflicts = 0; conflicts < MAX_CONFLICTS; conflicts++) {
      let run = cached;
      const wasCached = cached !== undefined;
      cached = undefined;
      if (!run) {
        run = appId ? await this.store.get(appId, runId) : await this.store.getById(runId);
        if (!run) return { applied: undefined };
      }
      const definition = await this.definitions.get(run.definitionId);
      if (!definition)
        throw new Error(`run ${runId} refers to a missing definition ${run.definitionId}`);
      const now = this.clock();
      const context = transitionContext(definition, now, run.traceparent);
      const before = this.held.appliedTo(runId, run, context);
      const transition = composed([...before.transitions, change(before.run, context)], run);
      if (!transition.changed) {
        // A no-op on a cached copy proves nothing: the stored run may have moved on. Read it.
        if (wasCached) {
          this.recent.forget(runId);
          continue;
        }
        if (before.held) this.held.settle(runId, before.held);
        return { applied: { run, changed: false } };
      }

      const cleared = [...(this.clears.of(runId) ?? [])];
      const after = await this.store.writeTransition({ before: run, transition, cleared }, now);
      if (after) {
        if (before.held) this.held.settle(runId, before.held);
        const messages = new Set(transition.messages.map((message) => message.envelope.id));
        return {
          applied: { run: after, changed: true },
          published: this.won(run, after, cleared, messages),
        };
      }
      this.recent.forget(runId);
      // Another writer got there first: back off a little so contenders spread out.
      await new Promise((resolve) => setTimeout(resolve, randomInt(1, 5 + conflicts * 2)));
    }
    throw new Error(`run ${runId}: gave up after ${MAX_CONFLICTS} conflicting writes`);
  }

  /**
   * After a compare-and-set won: forget the published entries it removed, keep the run (only
   * where publishing leaves the outbox as written: a clear right after publishing changes the
   * document without a new version, so a copy kept would be stale at once), then hand it on.
   */
  private won(
    before: StoredRun,
    after: StoredRun,
    cleared: readonly string[],
    messages: ReadonlySet<string>,
  ): Promise<void> {
    this.clears.forget(after.id, cleared);
    if (this.clears.deferring) this.recent.remember(after);
    else this.recent.forget(after.id);
    return this.onWritten(before, after, messages);
  }
}

interface AskedTransition {
  runId: string;
  change: Change;
  appId: string | undefined;
}

/** A transition as written, and its messages' publishing, which its caller waits for too. */
interface Written {
  applied: AppliedTransition | undefined;
  published?: Promise<void>;
}

/** A transition of a group commit, with how to answer its caller. */
interface PendingTransition extends AskedTransition {
  resolve: (applied: AppliedTransition | undefined, published?: Promise<void>) => void;
  reject: (error: unknown) => void;
}

/** A transition of a batch that was computed, and whether it changed the run. */
interface Settled {
  asked: PendingTransition;
  changed: boolean;
}
