import type { UpdateFilter } from 'mongodb';
import { nextTimerAt, type RunRecord, type Transition } from '@weft/core';
import { nodeToDocument, type RunDocument } from './run-document';
import type { OutboxEntry, StoredRun } from './stored-run';

/**
 * A transition as written: the run as it is stored afterwards, and the single-document update that
 * makes it so (changed fields only, the outbox, the version). Both come from here, so a writer can
 * keep the run it wrote without reading it back.
 */
export interface RunWrite {
  after: StoredRun;
  update: UpdateFilter<RunDocument>;
}

/** The run fields a transition may set or remove; the others never change once a run exists. */
const OPTIONAL_FIELDS = ['startedAt', 'finishedAt', 'deadlineAt', 'error'] as const;

/**
 * Writes `transition` over `before`, also removing the outbox entries already `published`.
 * `batch`, when given, is stamped on the document: a bulk write of many compare-and-sets reads it
 * back to tell which of them won, as the bulk answer only counts them.
 */
export function writeFor(
  before: StoredRun,
  transition: Transition,
  now: number,
  published: readonly string[],
  batch?: string,
): RunWrite {
  const next = transition.run;
  const after = withRecord(before, next);
  after.v = before.v + 1;
  after.updatedAt = now;
  const set: Record<string, unknown> = { status: next.status, updatedAt: now };
  const unset: Record<string, ''> = {};
  for (const field of OPTIONAL_FIELDS) {
    if (next[field] !== undefined) set[field] = next[field];
    else if (before[field] !== undefined) unset[field] = '';
  }
  for (const [id, node] of Object.entries(next.nodes)) {
    if (node !== before.nodes[id]) set[`nodes.${id}`] = nodeToDocument(node);
  }

  const timerAt = nextTimerAt(next);
  if (timerAt !== undefined) set.timerAt = after.timerAt = timerAt;
  else if (before.timerAt !== undefined) {
    unset.timerAt = '';
    delete after.timerAt;
  }

  const outbox = { ...before.outbox };
  for (const id of published) {
    unset[`outbox.${id}`] = '';
    delete outbox[id];
  }
  const added = outboxOf(transition, now);
  for (const [id, entry] of Object.entries(added)) set[`outbox.${id}`] = outbox[id] = entry;
  if (before.outbox !== undefined || transition.messages.length > 0) after.outbox = outbox;

  // outboxAt is the age of the oldest unpublished message, which the sweeper goes by. The write is
  // a compare-and-set on the version, so the outbox read before it is exactly the one it updates.
  const unpublished = Object.keys(before.outbox ?? {}).some((id) => !published.includes(id));
  if (transition.messages.length > 0 && !unpublished) set.outboxAt = after.outboxAt = now;
  else if (!unpublished && before.outboxAt !== undefined) {
    unset.outboxAt = '';
    delete after.outboxAt;
  }
  if (batch !== undefined) set.batch = batch;

  const update: UpdateFilter<RunDocument> = { $set: set, $inc: { v: 1 } };
  if (Object.keys(unset).length > 0) update.$unset = unset;
  return { after, update };
}

/** `run` with what a transition changed taken from `next`, everything else as it was. */
export function withRecord(run: StoredRun, next: RunRecord): StoredRun {
  const merged: StoredRun = { ...run, status: next.status, nodes: next.nodes };
  for (const field of OPTIONAL_FIELDS) {
    if (next[field] === undefined) delete merged[field];
    else (merged as unknown as Record<string, unknown>)[field] = next[field];
  }
  return merged;
}

/** The outbox entries of a transition's messages, by message id. */
export function outboxOf(transition: Transition, now: number): Record<string, OutboxEntry> {
  return Object.fromEntries(
    transition.messages.map((message) => [
      message.envelope.id,
      {
        topic: message.topic,
        key: message.key,
        value: JSON.stringify(message.envelope),
        at: now,
        ...(message.envelope.traceparent ? { traceparent: message.envelope.traceparent } : {}),
      },
    ]),
  );
}

/** The `$unset` that removes published entries, and the age mark when they were all the outbox. */
export function clearingUpdate(
  ids: ReadonlySet<string>,
  outbox: readonly string[],
): Record<string, ''> {
  const unset: Record<string, ''> = {};
  for (const id of ids) unset[`outbox.${id}`] = '';
  if (outbox.every((id) => ids.has(id))) unset.outboxAt = '';
  return unset;
}

/** Several transitions of one run, one after another, as one: the last run, every message. */
export function composed(transitions: readonly Transition[], start: StoredRun): Transition {
  const last = transitions[transitions.length - 1];
  return {
    run: last?.run ?? start,
    messages: transitions.flatMap((transition) => transition.messages),
    changed: transitions.some((transition) => transition.changed),
  };
}
