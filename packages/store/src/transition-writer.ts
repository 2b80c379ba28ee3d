import { randomInt } from 'node:crypto';
import type { Transition, TransitionContext, WorkflowDefinition } from '@weft/core';
import type { DeferredClears } from './deferred-clears';
import type { DefinitionStore } from './definition-store';
import { GroupCommit, type ItemOutcome } from './group-commit';
import { newId } from './ids';
import type { RecentRuns } from './recent-runs';
import type { RunStore, TransitionWrite } from './run-store';
import { composed, withRecord } from './run-write';
import type { StoredRun } from './stored-run';

/** How many times a transition is retried when another writer changed the run first. */
const MAX_CONFLICTS = 50;

/** The outcome of applying a transition: the run as stored after it. */
export interface AppliedTransition {
  run: StoredRun;
  /** False when the transition was a no-op (a duplicate or late message): nothing was written. */
  changed: boolean;
}

/** A change to a run: one of core's pure transitions, given the run and its context. */
export type Change = (run: StoredRun, context: TransitionContext) => Transition;

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

  constructor(parts: TransitionWriterParts) {
    this.store = parts.store;
    this.definitions = parts.definitions;
    this.recent = parts.recent;
    this.clears = parts.clears;
    this.clock = parts.clock;
    this.onWritten = parts.onWritten;
    this.transitions = new GroupCommit((asked) => this.writeTransitions(asked));
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
    const { applied, published } = await this.transitions.add({ runId, change, appId });
    await published;
    return applied;
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
      const cached = this.recent.get(runId);
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
    const writes: (TransitionWrite & { group: Settled[]; messages: Set<string> })[] = [];
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
      const transitions: Transition[] = [];
      let run = base.run;
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
        else for (const { asked } of settled) asked.resolve({ run: base.run, changed: false });
        continue;
      }
      const cleared = [...(this.clears.of(runId) ?? [])];
      const messages = new Set(transition.messages.map((message) => message.envelope.id));
      writes.push({ group: settled, before: base.run, transition, cleared, messages });
    }
    if (writes.length === 0) return retry;

    const afters = await this.store.writeTransitions(writes, now);
    await Promise.all(
      writes.map(async ({ group, before, cleared, messages }, index) => {
        const after = afters[index];
        if (!after) {
          this.recent.forget(before.id);
          retry.push(group.map(({ asked }) => asked));
          return;
        }
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
    let cached = this.recent.get(runId);
    if (cached && appId !== undefined && cached.appId !== appId) cached = undefined;
    for (let conflicts = 0; conflicts < MAX_CONFLICTS; conflicts++) {
      let run = cached;
      cached = undefined;
      if (!run) {
        run = appId ? await this.store.get(appId, runId) : await this.store.getById(runId);
        if (!run) return { applied: undefined };
      }
      const definition = await this.definitions.get(run.definitionId);
      if (!definition)
        throw new Error(`run ${runId} refers to a missing definition ${run.definitionId}`);
      const now = this.clock();
      const transition = change(run, transitionContext(definition, now, run.traceparent));
      if (!transition.changed) {
        // A no-op on a cached copy proves nothing: the stored run may have moved on. Read it.
        if (run === this.recent.get(runId)) {
          this.recent.forget(runId);
          continue;
        }
        return { applied: { run, changed: false } };
      }

      const cleared = [...(this.clears.of(runId) ?? [])];
      const after = await this.store.writeTransition({ before: run, transition, cleared }, now);
      if (after) {
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
