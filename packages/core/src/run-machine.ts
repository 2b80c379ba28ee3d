import type { RunError } from '@weft/contract';
import { retryDecision } from './backoff';
import { onErrorOf, regionOf, type Region, type WorkflowDefinition } from './definition-types';
import {
  envelope,
  type Envelope,
  type LeaseDecision,
  type RunEventPayload,
  type RunEventType,
  type StepError,
  type StepResultEnvelope,
} from './envelope';
import { runDeadline, stepDeadline } from './deadlines';
import { graphOf } from './graph';
import { jsonByteLength, type JsonValue } from './json-value';
import { MAX_STEP_PAYLOAD_BYTES } from './message-limits';
import { nodesToSkip, readyNodes } from './ready-nodes';
import { resolveInputs } from './resolve-references';
import { stepError } from './step-failure';
import {
  isTerminalNodeStatus,
  isTerminalRunStatus,
  runOutcome,
  type NodeStatus,
  type RunProgress,
  type RunStatus,
} from './run-progress';
import { RUN_EVENTS_TOPIC, STEP_RESULTS_TOPIC, stepTopic } from './topics';

/** One node of a run as stored: its status, its current attempt and what that attempt produced. */
export interface NodeRecord {
  status: NodeStatus;
  /** The current attempt, 1-based; 0 before the first. Unique per node for the run's life. */
  attempt: number;
  /** The attempt a resume started counting from: retry budgets restart there. Default: 0. */
  attemptBase: number;
  queuedAt?: number;
  startedAt?: number;
  finishedAt?: number;
  /** When the running attempt is given up on (its worker is presumed gone). */
  deadlineAt?: number;
  /** When a `retrying` node is queued again. */
  retryAt?: number;
  workerId?: string;
  /** Who runs the current attempt, while it runs (granted by its claim). */
  lease?: NodeLease;
  /**
   * Attempts lost with their worker (its lease ran out). They do not count against the retry
   * policy, but a node that keeps losing its worker fails (see MAX_LOST_ATTEMPTS).
   */
  lost?: number;
  result?: unknown;
  error?: StepError;
}

/**
 * The lease a worker process holds on a running attempt: granted by its claim, renewed by its
 * heartbeats. Once `ms` passes without one, the orchestrator checks (through the results log, so
 * heartbeats already sent count) and then gives the attempt up as `worker_lost`.
 */
export interface NodeLease {
  holder: string;
  ms: number;
  /** When the claim or the last heartbeat was applied. */
  beatAt: number;
  /** When a `step.lease-check` was sent for this lease, unanswered so far. */
  checkAt?: number;
}

/**
 * How many attempts of one node may be lost with their worker before the node fails: a step that
 * kills every worker that runs it (a poison message) must not go round the pool for ever.
 */
export const MAX_LOST_ATTEMPTS = 5;

// Why a run ended other than `completed`: the API's shape.
export type { RunError } from '@weft/contract';

/** A run as the engine sees it: everything a transition reads and writes. */
export interface RunRecord {
  id: string;
  appId: string;
  status: RunStatus;
  region: Region;
  input: Record<string, unknown>;
  nodes: Record<string, NodeRecord>;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  /** The run's timeout from its workflow's settings, as a point in time. */
  deadlineAt?: number;
  error?: RunError;
}

/** A message a transition implies, written to the run's outbox with it and published after. */
export interface OutgoingEnvelope {
  topic: string;
  key: string;
  envelope: Envelope;
}

/** What a transition reads besides the run: the definition, the time, and sources of chance. */
export interface TransitionContext {
  definition: WorkflowDefinition;
  now: number;
  /** Jitter for retry backoff, in [0, 1). */
  random: () => number;
  /** A fresh unique message id. */
  newId: () => string;
  /** Trace context to stamp on the messages this transition produces. */
  traceparent?: string;
}

/** A run after a transition, and the messages to publish. `changed` false: nothing to write. */
export interface Transition {
  run: RunRecord;
  messages: OutgoingEnvelope[];
  changed: boolean;
}

/** The run a fresh `POST /v1/workflows/run` creates: its ready nodes already queued. */
export function startRun(
  init: { id: string; appId: string; input: Record<string, unknown> },
  context: TransitionContext,
): Transition {
  const { definition, now } = context;
  const nodes: Record<string, NodeRecord> = {};
  for (const id of graphOf(definition).ids)
    nodes[id] = { status: 'pending', attempt: 0, attemptBase: 0 };
  const run: RunRecord = {
    id: init.id,
    appId: init.appId,
    status: 'pending',
    region: regionOf(definition),
    input: init.input,
    nodes,
    createdAt: now,
    ...optional('deadlineAt', runDeadline(now, definition)),
  };
  return advance(draft(run, context));
}

/**
 * Applies a worker's report on attempt `attempt` of a node. Exactly once in effect: a report for
 * another attempt, a repeated report, or one for a run already ended changes nothing.
 */
export function applyStepResult(
  run: RunRecord,
  message: StepResultEnvelope,
  context: TransitionContext,
): Transition {
  const unchanged = { run, messages: [], changed: false };
  const nodeId = message.nodeId;
  if (nodeId === undefined || isTerminalRunStatus(run.status)) return unchanged;
  const node = ownNode(run, nodeId);
  if (!node || node.attempt !== message.attempt) return unchanged;
  if (node.status !== 'queued' && node.status !== 'running') return unchanged;

  const state = draft(run, context);
  switch (message.type) {
    case 'step.claim': {
      // Only the first claim of an attempt takes it; the others are answered `held`.
      if (node.status !== 'queued') return unchanged;
      const { payload } = message;
      const spec = context.definition.dag.nodes[nodeId];
      state.setNode(nodeId, {
        ...node,
        status: 'running',
        startedAt: payload.startedAt,
        workerId: payload.workerId,
        lease: { holder: payload.holder, ms: payload.leaseMs, beatAt: context.now },
        ...optional('deadlineAt', spec && stepDeadline({ now: () => context.now }, spec)),
      });
      state.markStarted();
      return state.finish();
    }
    case 'step.heartbeat': {
      const lease = leaseHeldBy(node, message.payload.holder);
      if (!lease) return unchanged;
      state.setNode(nodeId, { ...node, lease: { ...lease, beatAt: context.now } });
      return state.finish();
    }
    case 'step.released': {
      if (!leaseHeldBy(node, message.payload.holder)) return unchanged;
      attemptLost(
        state,
        nodeId,
        stepError('worker_stopping', `attempt ${node.attempt} was handed back by its worker`),
        false,
      );
      return advance(state);
    }
    case 'step.lease-check': {
      // A heartbeat applied since the check was sent answers it: the holder is alive.
      const lease = leaseHeldBy(node, message.payload.holder);
      if (!lease || lease.beatAt >= Date.parse(message.createdAt)) return unchanged;
      attemptLost(
        state,
        nodeId,
        stepError(
          'worker_lost',
          `attempt ${node.attempt}'s worker (${lease.holder}) sent no heartbeat for ${lease.ms} ms`,
        ),
        true,
      );
      return advance(state);
    }
    case 'step.succeeded': {
      const { payload } = message;
      state.setNode(nodeId, {
        ...withoutTimers(node),
        status: 'completed',
        startedAt: node.startedAt ?? payload.startedAt,
        finishedAt: payload.finishedAt,
        workerId: payload.workerId,
        result: payload.result,
      });
      state.markStarted();
      return advance(state);
    }
    case 'step.failed': {
      const { payload } = message;
      state.setNode(nodeId, {
        ...node,
        startedAt: node.startedAt ?? payload.startedAt,
        finishedAt: payload.finishedAt,
        workerId: payload.workerId,
      });
      state.markStarted();
      attemptFailed(state, nodeId, payload.error);
      return advance(state);
    }
  }
}

/**
 * Acts on the run's timers due at `context.now`: the run's timeout, retries whose backoff is over,
 * and running attempts past their deadline (their worker is presumed gone: the attempt fails
 * retryably).
 */
export function applyTimers(run: RunRecord, context: TransitionContext): Transition {
  if (isTerminalRunStatus(run.status)) return { run, messages: [], changed: false };
  const state = draft(run, context);
  if (run.deadlineAt !== undefined && run.deadlineAt <= context.now) {
    const timeout = context.definition.timeout ?? 0;
    state.end('timed_out', {
      code: 'run_timed_out',
      message: `the run exceeded its ${timeout} s timeout`,
    });
    return state.finish();
  }
  for (const [id, node] of Object.entries(run.nodes)) {
    if (node.status === 'retrying' && node.retryAt !== undefined && node.retryAt <= context.now) {
      queueNode(state, id);
    } else if (
      node.status === 'running' &&
      node.deadlineAt !== undefined &&
      node.deadlineAt <= context.now
    ) {
      const timeout = context.definition.dag.nodes[id]?.timeout ?? 0;
      attemptFailed(
        state,
        id,
        stepError('step_timeout', `attempt ${node.attempt} did not finish within ${timeout} s`),
      );
    } else if (node.status === 'running' && node.lease && leaseDue(node.lease) <= context.now) {
      checkLease(state, id, node, node.lease);
    }
  }
  return advance(state);
}

/**
 * What the orchestrator answers a worker's claim or heartbeat, read on the run as it is once the
 * report was applied (undefined: there is no such run); undefined when a heartbeat needs no
 * answer (its lease goes on).
 */
export function leaseAnswer(
  run: RunRecord | undefined,
  report: Envelope<'step.claim' | 'step.heartbeat'>,
): LeaseDecision | undefined {
  const node = run && report.nodeId !== undefined ? ownNode(run, report.nodeId) : undefined;
  const current =
    node !== undefined &&
    run !== undefined &&
    !isTerminalRunStatus(run.status) &&
    node.attempt === report.attempt &&
    node.status === 'running';
  const mine = current && node.lease?.holder === report.payload.holder;
  if (report.type === 'step.heartbeat') return mine ? undefined : 'lost';
  if (!current) return 'closed';
  return mine ? 'granted' : 'held';
}

/** Cancels a run that has not ended; its unfinished nodes become `cancelled`. */
export function cancelRun(run: RunRecord, context: TransitionContext): Transition {
  if (isTerminalRunStatus(run.status)) return { run, messages: [], changed: false };
  const state = draft(run, context);
  state.end('cancelled', { code: 'run_cancelled', message: 'the run was cancelled' });
  return state.finish();
}

/**
 * True for a node whose record never changes again, whatever the run does next: a completed node
 * (a resume keeps it as it is). Watchers of a run need not read such a node twice.
 */
export function isSettledNode(node: NodeRecord): boolean {
  return node.status === 'completed';
}

/** Runs that can be resumed: those that ended other than `completed`. */
export function isResumable(status: RunStatus): boolean {
  return status === 'failed' || status === 'cancelled' || status === 'timed_out';
}

/**
 * Runs an ended run again from the nodes that did not complete, keeping completed nodes' results.
 * Attempt numbers go on from where they were, so reports of old attempts stay ignored; retry
 * budgets and the run timeout start afresh.
 */
export function resumeRun(run: RunRecord, context: TransitionContext): Transition {
  if (!isResumable(run.status)) return { run, messages: [], changed: false };
  const nodes: Record<string, NodeRecord> = {};
  for (const [id, node] of Object.entries(run.nodes)) {
    nodes[id] = isSettledNode(node)
      ? node
      : { status: 'pending', attempt: node.attempt, attemptBase: node.attempt };
  }
  const { finishedAt: _finished, error: _error, deadlineAt: _deadline, ...rest } = run;
  const resumed: RunRecord = {
    ...rest,
    status: 'running',
    nodes,
    ...optional('deadlineAt', runDeadline(context.now, context.definition)),
  };
  const transition = advance(draft(resumed, context));
  return { ...transition, changed: true };
}

/** The earliest time at which `applyTimers` has something to do, or undefined. */
export function nextTimerAt(run: RunRecord): number | undefined {
  if (isTerminalRunStatus(run.status)) return undefined;
  let next = run.deadlineAt;
  for (const node of Object.values(run.nodes)) {
    const at =
      node.status === 'retrying'
        ? node.retryAt
        : node.status === 'running'
          ? earliest(node.deadlineAt, node.lease && leaseDue(node.lease))
          : undefined;
    if (at !== undefined && (next === undefined || at < next)) next = at;
  }
  return next;
}

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  return b === undefined ? a : Math.min(a, b);
}

/** When a lease is next looked at: its end, or (a check sent) when to send another. */
function leaseDue(lease: NodeLease): number {
  return (lease.checkAt ?? lease.beatAt) + lease.ms;
}

/** Each completed node's result by node id: a run's outputs. */
export function runOutputs(run: RunRecord): Record<string, unknown> {
  const outputs: Record<string, unknown> = {};
  for (const [id, node] of Object.entries(run.nodes)) {
    if (node.status === 'completed') outputs[id] = node.result;
  }
  return outputs;
}

/** The idempotency key of one attempt, as workers pass it to providers. */
export function attemptKey(runId: string, nodeId: string, attempt: number): string {
  return `${runId}:${nodeId}:${attempt}`;
}

/** `{[key]: value}`, or nothing when value is undefined: optional fields stay absent, not undefined. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

// ---- the working copy a transition edits ----

interface Draft {
  readonly context: TransitionContext;
  run: RunRecord;
  messages: OutgoingEnvelope[];
  setNode(id: string, node: NodeRecord): void;
  markStarted(): void;
  end(status: Exclude<RunStatus, 'pending' | 'running'>, error?: RunError): void;
  finish(): Transition;
}

function draft(original: RunRecord, context: TransitionContext): Draft {
  let dirty = false;
  const state: Draft = {
    context,
    run: { ...original, nodes: { ...original.nodes } },
    messages: [],
    setNode(id, node) {
      state.run.nodes[id] = node;
      dirty = true;
    },
    markStarted() {
      if (state.run.status === 'pending') {
        dirty = true;
        state.run.status = 'running';
        state.run.startedAt = context.now;
      }
    },
    end(status, error) {
      for (const [id, node] of Object.entries(state.run.nodes)) {
        if (!isTerminalNodeStatus(node.status)) {
          state.run.nodes[id] = {
            ...withoutTimers(node),
            status: 'cancelled',
            finishedAt: context.now,
          };
        }
      }
      dirty = true;
      state.run.status = status;
      state.run.finishedAt = context.now;
      if (error) state.run.error = error;
      else delete state.run.error;
      state.messages.push(runEvent(state.run, context));
    },
    finish() {
      if (!dirty) return { run: original, messages: [], changed: false };
      return { run: state.run, messages: state.messages, changed: true };
    },
  };
  return state;
}

function ownNode(run: RunRecord, id: string): NodeRecord | undefined {
  return Object.hasOwn(run.nodes, id) ? run.nodes[id] : undefined;
}

function withoutTimers(node: NodeRecord): NodeRecord {
  const { deadlineAt: _deadline, retryAt: _retry, lease: _lease, ...rest } = node;
  return rest;
}

/** The lease of a running node, when `holder` holds it. */
function leaseHeldBy(node: NodeRecord, holder: string): NodeLease | undefined {
  return node.status === 'running' && node.lease?.holder === holder ? node.lease : undefined;
}

/**
 * Sends a lease past its end through the results log (see `step.lease-check`), and notes it was
 * sent, so it is not sent again before another lease period.
 */
function checkLease(state: Draft, id: string, node: NodeRecord, lease: NodeLease): void {
  const { now } = state.context;
  state.setNode(id, { ...node, lease: { ...lease, checkAt: now } });
  state.messages.push({
    topic: STEP_RESULTS_TOPIC,
    key: state.run.id,
    envelope: envelope({
      id: state.context.newId(),
      type: 'step.lease-check',
      runId: state.run.id,
      nodeId: id,
      attempt: node.attempt,
      createdAt: now,
      ...optional('traceparent', state.context.traceparent),
      payload: { holder: lease.holder },
    }),
  });
}

/**
 * An attempt that ended with its worker, not by its step: queued again at once, outside the retry
 * budget. `lostWorker` counts it towards MAX_LOST_ATTEMPTS (a hand-back by a stopping worker does
 * not).
 */
function attemptLost(state: Draft, id: string, error: StepError, lostWorker: boolean): void {
  const node = state.run.nodes[id];
  if (!node) return;
  const lost = (node.lost ?? 0) + (lostWorker ? 1 : 0);
  if (lost >= MAX_LOST_ATTEMPTS) {
    state.setNode(id, { ...node, lost, finishedAt: state.context.now });
    failNode(state, id, {
      ...error,
      message: `${error.message}; lost ${lost} times, the node fails`,
      retryable: false,
    });
    return;
  }
  state.setNode(id, {
    ...withoutTimers(node),
    attemptBase: node.attemptBase + 1,
    ...(lost > 0 ? { lost } : {}),
    error,
  });
  queueNode(state, id);
}

function progressOf(run: RunRecord): RunProgress {
  const progress: RunProgress = {};
  for (const [id, node] of Object.entries(run.nodes)) {
    progress[id] = { status: node.status, attempt: node.attempt };
  }
  return progress;
}

/** Queues every ready node and ends the run once nothing can progress. */
function advance(state: Draft): Transition {
  const { definition } = state.context;
  if (!isTerminalRunStatus(state.run.status)) {
    for (const id of readyNodes(definition, progressOf(state.run))) queueNode(state, id);
    const outcome = runOutcome(definition, progressOf(state.run));
    if (outcome === 'completed') state.end('completed');
    if (outcome === 'failed') state.end('failed', failureOf(state.run, definition));
  }
  return state.finish();
}

function failureOf(run: RunRecord, definition: WorkflowDefinition): RunError {
  for (const [id, node] of Object.entries(run.nodes)) {
    const spec = definition.dag.nodes[id];
    if (node.status === 'failed' && spec && onErrorOf(spec) === 'fail') {
      const cause = node.error ? `${node.error.code}: ${node.error.message}` : 'failed';
      return { code: 'node_failed', message: `node "${id}" failed (${cause})`, nodeId: id };
    }
  }
  return { code: 'node_failed', message: 'a node failed' };
}

/** Resolves a node's inputs and queues its next attempt, or fails it if they cannot resolve. */
function queueNode(state: Draft, id: string): void {
  const { definition, now } = state.context;
  const spec = definition.dag.nodes[id];
  const node = state.run.nodes[id];
  if (!spec || !node) return;
  const scope = {
    input: state.run.input,
    nodes: Object.fromEntries(
      Object.entries(state.run.nodes)
        .filter(([, other]) => other.status === 'completed')
        .map(([otherId, other]) => [otherId, { result: other.result }]),
    ),
  };
  const resolved = resolveInputs<Record<string, unknown>>(spec.inputs, scope);
  const attempt = node.attempt + 1;
  if (!resolved.ok) {
    state.setNode(id, { ...node, attempt, finishedAt: now });
    failNode(
      state,
      id,
      stepError(resolved.error.code, resolved.error.message, {
        reference: resolved.error.reference,
        pointer: resolved.error.pointer,
      }),
    );
    return;
  }
  const size = jsonByteLength(resolved.value as JsonValue);
  if (size > MAX_STEP_PAYLOAD_BYTES) {
    // Over the broker's limit, the step message could never be published.
    state.setNode(id, { ...node, attempt, finishedAt: now });
    failNode(
      state,
      id,
      stepError(
        'inputs_too_large',
        `the resolved inputs are ${size} bytes; the limit is ${MAX_STEP_PAYLOAD_BYTES}`,
      ),
    );
    return;
  }
  const {
    retryAt: _retry,
    deadlineAt: _deadline,
    startedAt: _s,
    finishedAt: _f,
    workerId: _w,
    lease: _lease,
    ...kept
  } = node;
  state.setNode(id, { ...kept, status: 'queued', attempt, queuedAt: now });
  state.messages.push({
    topic: stepTopic(spec.task, state.run.region),
    key: state.run.id,
    envelope: envelope({
      id: state.context.newId(),
      type: 'step.execute',
      runId: state.run.id,
      nodeId: id,
      attempt,
      createdAt: now,
      ...optional('traceparent', state.context.traceparent),
      payload: {
        appId: state.run.appId,
        task: spec.task,
        ...(spec.model_id ? { model_id: spec.model_id } : {}),
        inputs: resolved.value,
        ...(spec.timeout ? { timeoutMs: spec.timeout * 1000 } : {}),
        idempotencyKey: attemptKey(state.run.id, id, attempt),
      },
    }),
  });
}

/** A failed attempt: retried after backoff when the policy allows, else the node fails. */
function attemptFailed(state: Draft, id: string, error: StepError): void {
  const { definition, now, random } = state.context;
  const node = state.run.nodes[id];
  if (!node) return;
  const decision = retryDecision(
    definition.dag.nodes[id]?.retry,
    node.attempt - node.attemptBase,
    error,
    random,
  );
  if (decision.retry) {
    state.setNode(id, {
      ...withoutTimers(node),
      status: 'retrying',
      error,
      retryAt: now + decision.delayMs,
    });
  } else {
    failNode(state, id, error);
  }
}

/** Fails a node for good; under on_error `continue` its descendants are skipped. */
function failNode(state: Draft, id: string, error: StepError): void {
  const { definition, now } = state.context;
  const node = state.run.nodes[id];
  const spec = definition.dag.nodes[id];
  if (!node || !spec) return;
  state.setNode(id, {
    ...withoutTimers(node),
    status: 'failed',
    error,
    finishedAt: node.finishedAt ?? now,
  });
  if (onErrorOf(spec) === 'continue') {
    for (const skipped of nodesToSkip(definition, progressOf(state.run), id)) {
      const record = state.run.nodes[skipped];
      if (record)
        state.setNode(skipped, { ...withoutTimers(record), status: 'skipped', finishedAt: now });
    }
  }
}

const EVENT_TYPES: Record<RunStatus, RunEventType | undefined> = {
  pending: undefined,
  running: undefined,
  completed: 'run.completed',
  failed: 'run.failed',
  cancelled: 'run.cancelled',
  timed_out: 'run.timed_out',
};

function runEvent(run: RunRecord, context: TransitionContext): OutgoingEnvelope {
  const type = EVENT_TYPES[run.status] ?? 'run.completed';
  const payload: RunEventPayload = {
    appId: run.appId,
    status: run.status,
    createdAt: run.createdAt,
    ...(run.startedAt !== undefined ? { startedAt: run.startedAt } : {}),
    ...(run.finishedAt !== undefined ? { finishedAt: run.finishedAt } : {}),
    ...(run.error ? { error: run.error } : {}),
    nodes: Object.fromEntries(Object.entries(run.nodes).map(([id, node]) => [id, node.status])),
  };
  return {
    topic: RUN_EVENTS_TOPIC,
    key: run.id,
    envelope: envelope({
      id: context.newId(),
      type,
      runId: run.id,
      createdAt: context.now,
      ...optional('traceparent', context.traceparent),
      payload,
    }),
  };
}
