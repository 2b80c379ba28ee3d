import { RUN_WEBHOOK_EVENTS, type StepError } from '@weft/contract';
import Ajv, { type ValidateFunction } from 'ajv';
import type { NodeStatus, RunStatus } from './run-progress';

/** The envelope version this code writes and reads. */
export const ENVELOPE_VERSION = 1;

/** Every message type on Weft's topics. */
export type MessageType =
  | 'step.execute'
  | 'step.claim'
  | 'step.heartbeat'
  | 'step.released'
  | 'step.lease-check'
  | 'step.lease'
  | 'step.succeeded'
  | 'step.failed'
  | 'run.completed'
  | 'run.failed'
  | 'run.cancelled'
  | 'run.timed_out';

// A step's failure is the API's shape (the contract's StepError), carried as it is.
export type { StepError } from '@weft/contract';

/** Asks a worker to run one attempt of one node. */
export interface StepExecutePayload {
  appId: string;
  task: string;
  model_id?: string;
  /** The node's inputs with every reference resolved. */
  inputs: Record<string, unknown>;
  /** The attempt's time budget, ms; the worker aborts the handler past it. */
  timeoutMs?: number;
  /** `runId:nodeId:attempt`: passed to providers so a repeated delivery is not a repeated effect. */
  idempotencyKey: string;
}

/**
 * A worker asks to run an attempt, before its side effect: the orchestrator grants it to the first
 * holder to ask and answers every other `held` (see `step.lease`). The grant is a lease of
 * `leaseMs`, renewed by heartbeats; the attempt starts at `startedAt`.
 */
export interface StepClaimPayload {
  workerId: string;
  /** The worker process asking: a restarted worker with the same id is another holder. */
  holder: string;
  startedAt: number;
  leaseMs: number;
}

/** The holder of an attempt still runs it: its lease is renewed. */
export interface StepHeartbeatPayload {
  holder: string;
}

/** The holder gives an attempt back unfinished (it is stopping): the node is queued again at once. */
export interface StepReleasedPayload {
  holder: string;
}

/**
 * The orchestrator found a lease past its end and asks, through the results partition, whether a
 * heartbeat came after all: heartbeats sent before this check are ahead of it in the log, so a
 * lagging orchestrator never gives up on a holder that beat in time.
 */
export interface StepLeaseCheckPayload {
  holder: string;
}

/** The orchestrator's answer to a claim, or to a heartbeat for an attempt no longer held. */
export const LEASE_DECISIONS = ['granted', 'held', 'closed', 'lost'] as const;
export type LeaseDecision = (typeof LEASE_DECISIONS)[number];

export interface StepLeasePayload {
  holder: string;
  /**
   * `granted`: run it; `held`: another holder runs it; `closed`: the run no longer needs it;
   * `lost`: the holder's lease ended (or the run moved on) while it ran: abort it.
   */
  decision: LeaseDecision;
}

export interface StepSucceededPayload {
  workerId: string;
  startedAt: number;
  finishedAt: number;
  result: unknown;
}

export interface StepFailedPayload {
  workerId: string;
  startedAt: number;
  finishedAt: number;
  error: StepError;
}

/** A run reached a terminal state (or, later, another transition worth telling). */
export interface RunEventPayload {
  appId: string;
  status: RunStatus;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  error?: { code: string; message: string; nodeId?: string };
  nodes?: Record<string, NodeStatus>;
}

interface PayloadOf {
  'step.execute': StepExecutePayload;
  'step.claim': StepClaimPayload;
  'step.heartbeat': StepHeartbeatPayload;
  'step.released': StepReleasedPayload;
  'step.lease-check': StepLeaseCheckPayload;
  'step.lease': StepLeasePayload;
  'step.succeeded': StepSucceededPayload;
  'step.failed': StepFailedPayload;
  'run.completed': RunEventPayload;
  'run.failed': RunEventPayload;
  'run.cancelled': RunEventPayload;
  'run.timed_out': RunEventPayload;
}

/** What every envelope carries whatever its type. */
interface EnvelopeHeader {
  v: typeof ENVELOPE_VERSION;
  id: string;
  runId: string;
  nodeId?: string;
  attempt?: number;
  /** ISO 8601. */
  createdAt: string;
  /** W3C trace context of the hop that produced the message. */
  traceparent?: string;
}

/**
 * The versioned JSON envelope every Weft message travels in: a union discriminated by `type`, so
 * `switch (envelope.type)` narrows `payload`.
 */
export type Envelope<T extends MessageType = MessageType> = {
  [K in T]: EnvelopeHeader & { type: K; payload: PayloadOf[K] };
}[T];

/** What is said of an attempt on the step results topic, by its worker or by the orchestrator. */
export const STEP_RESULT_TYPES = [
  'step.claim',
  'step.heartbeat',
  'step.released',
  'step.lease-check',
  'step.succeeded',
  'step.failed',
] as const satisfies readonly MessageType[];
export type StepResultType = (typeof STEP_RESULT_TYPES)[number];
const STEP_RESULT_TYPE_SET: ReadonlySet<string> = new Set(STEP_RESULT_TYPES);
/** How a run ended, on the run events topic: the run events webhooks carry, too. */
export type RunEventType = (typeof RUN_WEBHOOK_EVENTS)[number];
const RUN_EVENT_TYPES: ReadonlySet<string> = new Set(RUN_WEBHOOK_EVENTS);

export type StepResultEnvelope = Envelope<StepResultType>;
export type RunEventEnvelope = Envelope<RunEventType>;

const STEP_ERROR_SCHEMA = {
  type: 'object',
  required: ['code', 'message', 'retryable'],
  properties: {
    code: { type: 'string', minLength: 1, maxLength: 200 },
    message: { type: 'string', maxLength: 10_000 },
    retryable: { type: 'boolean' },
    retryAfterMs: { type: 'number', minimum: 0 },
  },
};

const HOLDER_SCHEMA = { type: 'string', minLength: 1, maxLength: 200 };

const PAYLOAD_SCHEMAS: Record<MessageType, object> = {
  'step.execute': {
    type: 'object',
    required: ['appId', 'task', 'inputs', 'idempotencyKey'],
    properties: {
      appId: { type: 'string', minLength: 1 },
      task: { type: 'string', minLength: 1 },
      model_id: { type: 'string' },
      inputs: { type: 'object' },
      timeoutMs: { type: 'integer', minimum: 1 },
      idempotencyKey: { type: 'string', minLength: 1 },
    },
  },
  'step.claim': {
    type: 'object',
    required: ['workerId', 'holder', 'startedAt', 'leaseMs'],
    properties: {
      workerId: { type: 'string' },
      holder: HOLDER_SCHEMA,
      startedAt: { type: 'number' },
      leaseMs: { type: 'integer', minimum: 1 },
    },
  },
  'step.heartbeat': holderOnly(),
  'step.released': holderOnly(),
  'step.lease-check': holderOnly(),
  'step.lease': {
    type: 'object',
    required: ['holder', 'decision'],
    properties: { holder: HOLDER_SCHEMA, decision: { enum: LEASE_DECISIONS } },
  },
  'step.succeeded': {
    type: 'object',
    required: ['workerId', 'startedAt', 'finishedAt', 'result'],
    properties: {
      workerId: { type: 'string' },
      startedAt: { type: 'number' },
      finishedAt: { type: 'number' },
    },
  },
  'step.failed': {
    type: 'object',
    required: ['workerId', 'startedAt', 'finishedAt', 'error'],
    properties: {
      workerId: { type: 'string' },
      startedAt: { type: 'number' },
      finishedAt: { type: 'number' },
      error: STEP_ERROR_SCHEMA,
    },
  },
  'run.completed': runEventSchema(),
  'run.failed': runEventSchema(),
  'run.cancelled': runEventSchema(),
  'run.timed_out': runEventSchema(),
};

function holderOnly(): object {
  return { type: 'object', required: ['holder'], properties: { holder: HOLDER_SCHEMA } };
}

function runEventSchema(): object {
  return {
    type: 'object',
    required: ['appId', 'status', 'createdAt'],
    properties: { appId: { type: 'string' }, status: { type: 'string' } },
  };
}

/** Messages about one attempt: they carry its node and attempt number. */
const STEP_TYPES = new Set<MessageType>(['step.execute', 'step.lease', ...STEP_RESULT_TYPES]);

const ENVELOPE_SCHEMA = {
  type: 'object',
  required: ['v', 'id', 'type', 'runId', 'createdAt', 'payload'],
  properties: {
    v: { const: ENVELOPE_VERSION },
    id: { type: 'string', minLength: 1, maxLength: 200 },
    type: { enum: Object.keys(PAYLOAD_SCHEMAS) },
    runId: { type: 'string', minLength: 1, maxLength: 200 },
    nodeId: { type: 'string', minLength: 1, maxLength: 200 },
    attempt: { type: 'integer', minimum: 1 },
    createdAt: { type: 'string' },
    traceparent: { type: 'string', maxLength: 200 },
    payload: { type: 'object' },
  },
};

let validators: { envelope: ValidateFunction; payloads: Map<string, ValidateFunction> } | undefined;

function compiled(): NonNullable<typeof validators> {
  if (!validators) {
    const ajv = new Ajv({ allErrors: false, strict: false });
    validators = {
      envelope: ajv.compile(ENVELOPE_SCHEMA),
      payloads: new Map(
        Object.entries(PAYLOAD_SCHEMAS).map(([type, schema]) => [type, ajv.compile(schema)]),
      ),
    };
  }
  return validators;
}

/** A message that is not a valid envelope: it goes to the dead-letter topic, never retried. */
export interface EnvelopeProblem {
  code: 'not_json' | 'invalid_envelope' | 'unsupported_version';
  message: string;
}

export type ParseEnvelopeResult =
  { ok: true; envelope: Envelope } | { ok: false; problem: EnvelopeProblem };

/** Parses and validates a message's bytes; never throws. */
export function parseEnvelope(raw: Buffer | string): ParseEnvelopeResult {
  let value: unknown;
  try {
    value = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch (error) {
    return { ok: false, problem: { code: 'not_json', message: (error as Error).message } };
  }
  const { envelope, payloads } = compiled();
  if (typeof value === 'object' && value !== null && 'v' in value && value.v !== ENVELOPE_VERSION) {
    return {
      ok: false,
      problem: { code: 'unsupported_version', message: `envelope version ${String(value.v)}` },
    };
  }
  if (!envelope(value)) {
    return { ok: false, problem: { code: 'invalid_envelope', message: describe(envelope) } };
  }
  const candidate = value as Envelope;
  const payload = payloads.get(candidate.type);
  if (payload && !payload(candidate.payload)) {
    return {
      ok: false,
      problem: { code: 'invalid_envelope', message: `payload ${describe(payload)}` },
    };
  }
  if (STEP_TYPES.has(candidate.type) && (!candidate.nodeId || !candidate.attempt)) {
    return {
      ok: false,
      problem: { code: 'invalid_envelope', message: `${candidate.type} needs nodeId and attempt` },
    };
  }
  return { ok: true, envelope: candidate };
}

function describe(validate: ValidateFunction): string {
  const first = validate.errors?.[0];
  return first ? `${first.instancePath || '/'} ${first.message ?? 'is invalid'}` : 'is invalid';
}

/** An envelope's fields before it is stamped: `createdAt` as the caller's clock read it. */
export type EnvelopeFields<T extends MessageType = MessageType> = {
  [K in T]: Omit<Envelope<K>, 'v' | 'createdAt'> & { createdAt: number };
}[T];

/** Builds an envelope; `createdAt` from the caller's clock, so core stays pure. */
export function envelope<T extends MessageType>(fields: EnvelopeFields<T>): Envelope<T> {
  return { ...fields, v: ENVELOPE_VERSION, createdAt: new Date(fields.createdAt).toISOString() };
}

/** Run event types (a run's end), as a type guard. */
export function isRunEvent(envelope: Envelope): envelope is RunEventEnvelope {
  return RUN_EVENT_TYPES.has(envelope.type);
}

/** Step result types, as a type guard. */
export function isStepResult(envelope: Envelope): envelope is StepResultEnvelope {
  return STEP_RESULT_TYPE_SET.has(envelope.type);
}
