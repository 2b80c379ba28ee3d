import type { RunRecord, Transition, TransitionContext } from '@weft/core';

/** Which workflow a run executes, pinned at its start. */
export interface RunWorkflowRef {
  /** The saved workflow's id; absent for a built-in template or an ephemeral plan. */
  id?: string;
  /** The slug it was started by; absent for an ephemeral plan. */
  slug?: string;
  /** The immutable version it runs. Built-in templates are version 1. */
  version?: number;
  /** True for an inline `{plan}` run once. */
  ephemeral: boolean;
  /** The definition's `name`, for listings. */
  name: string;
}

/** A message written to a run's outbox with the change that implies it, published after. */
export interface OutboxEntry {
  topic: string;
  key: string;
  /** The envelope, serialized once. */
  value: string;
  /** When written, ms: the relay publishes oldest first. */
  at: number;
  /** W3C trace context, sent as the message's `traceparent` header too. */
  traceparent?: string;
}

/** A run as stored in the `runs` collection. */
export interface StoredRun extends RunRecord {
  /** Optimistic concurrency: every transition is a compare-and-set on it. */
  v: number;
  /** The immutable definition the run executes (see DefinitionStore). */
  definitionId: string;
  workflow: RunWorkflowRef;
  /** Notified when the run ends (the webhooks issue delivers it). */
  webhookUrl?: string;
  idempotencyKey?: string;
  /** Trace context of the request that started the run. */
  traceparent?: string;
  updatedAt: number;
  /** Messages written but not yet confirmed published, by message id. */
  outbox?: Record<string, OutboxEntry>;
  /** Set while the outbox holds anything: the sweeper re-publishes what stays too long. */
  outboxAt?: number;
  /** When the orchestrator's timer loop next has work on this run (see nextTimerAt). */
  timerAt?: number;
}

/** What the gateway supplies to start a run; `input` already validated, defaults applied. */
export interface CreateRunInput {
  appId: string;
  definition: import('@weft/core').WorkflowDefinition;
  workflow: RunWorkflowRef;
  input: Record<string, unknown>;
  webhookUrl?: string;
  /** From the `Idempotency-Key` header: the same key from the same app returns the same run. */
  idempotencyKey?: string;
  traceparent?: string;
}

/** Filters and paging for listing an app's runs, newest first. */
export interface ListRunsQuery {
  status?: RunRecord['status'];
  slug?: string;
  workflowId?: string;
  /** 1 to 100. */
  limit: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
}

/** A change to a run: one of core's pure transitions, given the run and its context. */
export type Change = (run: StoredRun, context: TransitionContext) => Transition;
