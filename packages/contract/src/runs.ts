import { Type, type Static } from '@sinclair/typebox';
import {
  anyObject,
  closedObject,
  component,
  dateTime,
  dictionaryOf,
  nullable,
  ref,
  stringEnum,
} from './schema-kit';
import { MAX_WEBHOOK_URL_LENGTH } from './names';
import { NODE_STATUSES, RUN_STATUSES, WAITING_REASONS } from './statuses';
import { definitionSent, Slug } from './workflows';

export const RunStatus = component(
  'RunStatus',
  stringEnum(RUN_STATUSES, {
    description: 'pending → running → completed | failed | cancelled | timed_out.',
  }),
);
export type RunStatus = Static<typeof RunStatus>;

export const NodeStatus = component(
  'NodeStatus',
  stringEnum(NODE_STATUSES, {
    description:
      'pending → queued → running → completed | failed | skipped | cancelled, with retrying between attempts.',
  }),
);
export type NodeStatus = Static<typeof NodeStatus>;

export const RunWorkflowRef = component(
  'RunWorkflowRef',
  closedObject(
    {
      id: Type.Optional(
        Type.String({ description: '`wf_…`; absent for a built-in template or a plan.' }),
      ),
      slug: Type.Optional(
        Type.String({ description: 'The slug it was started by; absent for a plan.' }),
      ),
      version: Type.Optional(
        Type.Integer({ minimum: 1, description: 'The immutable version it runs.' }),
      ),
      ephemeral: Type.Boolean({ description: 'True for an inline `plan` run once.' }),
      name: Type.String({ description: "The definition's `name`." }),
    },
    { description: 'The workflow a run executes.' },
  ),
);
export type RunWorkflowRef = Static<typeof RunWorkflowRef>;

export const RunError = component(
  'RunError',
  closedObject(
    {
      code: Type.String({ description: 'e.g. `node_failed`, `run_cancelled`, `run_timed_out`.' }),
      message: Type.String(),
      nodeId: Type.Optional(
        Type.String({ description: 'The node that failed the run, when one did.' }),
      ),
    },
    { description: 'Why a run ended other than `completed`.' },
  ),
);
export type RunError = Static<typeof RunError>;

export const StepError = component(
  'StepError',
  Type.Object(
    {
      // One of core's StepErrorCode when the engine wrote it, but any string from a stored run, an
      // older worker or a `core/fail` node.
      code: Type.String({
        description: 'Stable, e.g. `provider_rate_limited`, `invalid_input`, `step_timeout`.',
      }),
      message: Type.String(),
      retryable: Type.Boolean({ description: 'False for permanent failures.' }),
      retryAfterMs: Type.Optional(Type.Number({ minimum: 0 })),
      details: Type.Optional(
        Type.Unknown({ description: 'What the step added about the failure.' }),
      ),
    },
    { description: "A step's failure, as its worker reported it." },
  ),
);
export type StepError = Static<typeof StepError>;

export const Waiting = component(
  'Waiting',
  closedObject(
    {
      reason: stringEnum(WAITING_REASONS, {
        description:
          '`no_worker`: no worker serves its task (and region); `queue_backlog`: steps are queued ahead of it; `backoff`: its retry waits; `rate_limited`: the provider asked to wait.',
      }),
      message: Type.String({ description: 'What it waits for, and what to do about it.' }),
      until: Type.Optional(
        dateTime('For `backoff` and `rate_limited`: when the next attempt is due.'),
      ),
      topic: Type.Optional(
        Type.String({ description: 'For a queued node: the step topic it waits on.' }),
      ),
      lag: Type.Optional(
        Type.Integer({ minimum: 0, description: 'Steps its worker pool has yet to take.' }),
      ),
    },
    {
      description:
        'Why a queued or retrying node is not running; in `GET /v1/workflows/runs/{runId}` only, while the run goes on.',
    },
  ),
);
export type Waiting = Static<typeof Waiting>;

/** What a node shows, in a run view and in a stream's `node` events alike. */
const nodeProperties = {
  status: ref(NodeStatus),
  attempt: Type.Integer({
    minimum: 0,
    description: 'The current attempt, from 1; 0 before the first.',
  }),
  queuedAt: Type.Optional(dateTime('When its current attempt was queued.')),
  startedAt: Type.Optional(dateTime('When its current attempt started.')),
  finishedAt: Type.Optional(dateTime('When it ended.')),
  durationMs: Type.Optional(
    Type.Integer({ minimum: 0, description: "From its attempt's start to its end." }),
  ),
  result: Type.Optional(
    Type.Unknown({ description: 'What the step returned, once it completed.' }),
  ),
  error: Type.Optional(ref(StepError)),
};

export const NodeView = component(
  'NodeView',
  closedObject(
    { ...nodeProperties, waiting: Type.Optional(ref(Waiting)) },
    { description: 'One node of a run.' },
  ),
);
export type NodeView = Static<typeof NodeView>;

const runSummaryProperties = {
  runId: Type.String({ description: '`run_…`.' }),
  status: ref(RunStatus),
  workflow: ref(RunWorkflowRef),
  error: nullable(ref(RunError)),
  createdAt: dateTime('When the run was created.'),
  startedAt: nullable(dateTime('When its first step started; `null` before.')),
  finishedAt: nullable(dateTime('When it ended; `null` before.')),
  durationMs: nullable(
    Type.Integer({
      minimum: 0,
      description: 'From creation to the end; `null` until the run ends.',
    }),
  ),
  statusUrl: Type.String({
    format: 'uri',
    description: 'Where the run is polled: `GET /v1/workflows/runs/{runId}`.',
  }),
};

export const RunSummary = component(
  'RunSummary',
  closedObject(runSummaryProperties, { description: 'A run as listed.' }),
);
export type RunSummary = Static<typeof RunSummary>;

export const RunView = component(
  'RunView',
  closedObject(
    {
      ...runSummaryProperties,
      input: anyObject({ description: 'The run input, defaults applied.' }),
      nodes: dictionaryOf(ref(NodeView), { description: 'Every node of the run, by node id.' }),
      outputs: nullable(
        anyObject({
          description:
            "Each node's result by node id once the run completed; `null` before, and for runs that ended otherwise (partial results are in `nodes`).",
        }),
      ),
    },
    { description: 'A run with its input, nodes and outputs.' },
  ),
);
export type RunView = Static<typeof RunView>;

export const RunNodeEvent = component(
  'RunNodeEvent',
  closedObject(
    { runId: Type.String(), nodeId: Type.String(), ...nodeProperties },
    { description: 'The data of an `event: node`: a node changed status or attempt.' },
  ),
);
export type RunNodeEvent = Static<typeof RunNodeEvent>;

export const RunStatusEvent = component(
  'RunStatusEvent',
  closedObject(
    {
      runId: Type.String(),
      status: ref(RunStatus),
      error: Type.Optional(ref(RunError)),
      finishedAt: Type.Optional(dateTime('When it ended.')),
    },
    { description: 'The data of an `event: run`: the run changed status.' },
  ),
);
export type RunStatusEvent = Static<typeof RunStatusEvent>;

/**
 * `POST /v1/workflows/run`. What is checked here is answered 400; the plan as a definition, the
 * input against the workflow's parameters and the webhook URL's address are checked after, 422.
 */
export const RunRequest = component(
  'RunRequest',
  closedObject(
    {
      appId: Type.Optional(
        Type.String({
          minLength: 1,
          maxLength: 100,
          description: "Optional; if present it must be the API key's app (403 `app_mismatch`).",
        }),
      ),
      // The slug's schema itself, not a reference: the gateway validates with this schema alone.
      workflowSlug: Type.Optional(Slug),
      workflowId: Type.Optional(
        Type.String({
          minLength: 1,
          maxLength: 100,
          description: '`wf_…`: a saved workflow by id, as `/api` shows it.',
        }),
      ),
      version: Type.Optional(
        Type.Integer({
          minimum: 1,
          maximum: 1_000_000_000,
          description: 'With `workflowSlug` or `workflowId`. Default: the latest.',
        }),
      ),
      plan: Type.Optional(definitionSent('A definition run once')),
      input: Type.Optional(
        Type.Unknown({
          description: "The run input: checked against the workflow's input parameters (422).",
        }),
      ),
      webhookUrl: Type.Optional(
        Type.String({
          minLength: 1,
          maxLength: MAX_WEBHOOK_URL_LENGTH,
          description:
            'Notified when the run ends: http(s), no credentials, a public address (422 `invalid_webhook_url` otherwise).',
        }),
      ),
    },
    {
      description:
        'Exactly one of `workflowSlug`, `workflowId` (a saved workflow or built-in template) and `plan` (a definition run once). Unknown properties are refused.',
    },
  ),
);
export type RunRequest = Static<typeof RunRequest>;

export const RunAccepted = component(
  'RunAccepted',
  closedObject(
    {
      runId: Type.String({ description: '`run_…`.' }),
      status: ref(RunStatus),
      statusUrl: Type.String({
        format: 'uri',
        description: 'Where the run is polled (also in `Location`).',
      }),
    },
    { description: 'A run that was created (or, for a repeated `Idempotency-Key`, found).' },
  ),
);
export type RunAccepted = Static<typeof RunAccepted>;

export const RunList = component(
  'RunList',
  closedObject(
    {
      runs: Type.Array(ref(RunSummary), { description: 'Newest first.' }),
      nextCursor: nullable(
        Type.String({ description: 'Pass as `cursor` for the next page; `null` on the last.' }),
      ),
    },
    { description: 'A page of runs.' },
  ),
);
export type RunList = Static<typeof RunList>;

/** The components of this module, by their names in the OpenAPI document. */
export const RUN_COMPONENTS = {
  RunStatus,
  NodeStatus,
  RunWorkflowRef,
  RunError,
  StepError,
  NodeView,
  Waiting,
  RunSummary,
  RunView,
  RunNodeEvent,
  RunStatusEvent,
  RunRequest,
  RunAccepted,
  RunList,
};
