import { RUN_WEBHOOK_EVENTS, type StepError } from '@weft/contract';
import Ajv, { type ValidateFunction } from 'ajv';
import type { NodeStatus, RunStatus } from './run-progress';

/** The envelope version this code writes and reads. */
export const ENVELOPE_VERSION = 1;

/** Every message type on Weft's topics. */
export type MessageType =
  | 'step.execute'
  | 'step.started'
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

export interface StepStartedPayload {
  workerId: string;
  startedAt: number;
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
  'step.started': StepStartedPayload;
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

/** What workers report about an attempt, on the step results topic. */
export type StepResultType = 'step.started' | 'step.succeeded' | 'step.failed';
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
  'step.started': {
    type: 'object',
    required: ['workerId', 'startedAt'],
    properties: { workerId: { type: 'string' }, startedAt: { type: 'number' } },
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

function runEventSchema(): object {
  return {
    type: 'object',
    required: ['appId', 'status', 'createdAt'],
    properties: { appId: { type: 'string' }, status: { type: 'string' } },
  };
}

const STEP_TYPES = new Set<MessageType>([
  'step.execute',
  'step.started',
  'step.succeeded',
  'step.failed',
]);

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
  return (
    envelope.type === 'step.started' ||
    envelope.type === 'step.succeeded' ||
    envelope.type === 'step.failed'
  );
}
