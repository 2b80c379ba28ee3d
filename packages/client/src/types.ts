// The client's types: the wire shapes are the contract's (@weft/contract, which the gateway's
// views and the OpenAPI document come from too); the rest are the client's own (query
// parameters, artifact bytes, live events as the client yields them).

import type {
  RunAccepted,
  RunList,
  RunRequest,
  StoredDocument,
  VectorItemSaved,
  WebhookEndpointWithSecret,
  RunNodeEvent,
  RunStatus,
  RunStatusEvent,
  RunView,
} from '@weft/contract';

/** Any JSON value. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export {
  type ExecutionApi,
  type ExecutionPageApi,
  type ExecutionNodeApi,
  type SavedWorkflowApi,
  type WorkflowApi,
  type WorkflowApiRequest,
  type ApiKey,
  type App,
  type ArtifactFile,
  type CreatedApp,
  type CreatedApiKey,
  type CreateWebhookRequest,
  type DeliveryAttempt,
  type DocumentPage,
  type SearchVectorsRequest,
  type UpdateWebhookRequest,
  type UpsertVectorRequest,
  type VectorMatch,
  type WebhookDelivery,
  type WebhookEndpoint,
  type Diagnostic,
  type Diagnostics,
  type SavedWorkflow,
  type SaveWorkflowRequest,
  type TaskTypeView,
  type RegisteredTaskType,
  type WorkflowSummary,
  type WorkflowVersion,
  type WorkflowVersionSummary,
  isTerminalRunStatus,
  RUN_STATUSES,
  TERMINAL_RUN_STATUSES,
  type NodeStatus,
  type NodeView,
  type RunError,
  type RunStatus,
  type RunSummary,
  type RunView,
  type RunWorkflowRef,
  type StepError,
  type Waiting,
} from '@weft/contract';
/** A workflow definition in either accepted form (canonical `dag` or `steps`). */
export type WorkflowDocument = Record<string, unknown>;

/**
 * What every run start may carry: the request's fields beyond the workflow it names, and the
 * `Idempotency-Key` it is sent with. That key makes a retried start return the first start's run;
 * default: a fresh random key per call, so the client's own retries never start a run twice.
 */
type StartRunCommon = Omit<RunRequest, 'workflowSlug' | 'workflowId' | 'version' | 'plan'> & {
  idempotencyKey?: string;
};

/** `POST /v1/workflows/run`: a saved workflow by slug or id, or an inline plan (exactly one). */
export type StartRunRequest =
  | (StartRunCommon & Required<Pick<RunRequest, 'workflowSlug'>> & Pick<RunRequest, 'version'>)
  | (StartRunCommon & Required<Pick<RunRequest, 'workflowId'>> & Pick<RunRequest, 'version'>)
  | (StartRunCommon & Required<Pick<RunRequest, 'plan'>>);

/** The answer to a run start (202), with the `Idempotency-Key` it was sent with. */
export type StartedRun = RunAccepted & { idempotencyKey: string };

/** Filters and paging of `GET /v1/workflows/runs`. */
export interface ListRunsParams {
  status?: RunStatus;
  slug?: string;
  /** 1–100. Default (server): 20. */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
}

/** One page of runs, newest first. */
export type RunPage = RunList;

/** An artifact's bytes, as `GET /v1/artifacts/:id` serves them. */
export interface Artifact {
  bytes: Uint8Array<ArrayBuffer>;
  contentType: string;
  etag: string | null;
}

/** Paging of a collection's documents. */
export interface PageParams {
  /** 1–100. Default (server): 20. */
  limit?: number;
  cursor?: string;
}

/** A document `store_results` wrote. */
export type ResultDocument = StoredDocument;

/** The answer to an upsert. */
export type UpsertedVector = VectorItemSaved;

/** An endpoint with its `whsec_` signing secret, shown when it is made or rotated. */
export type WebhookWithSecret = WebhookEndpointWithSecret;

// ---- The seed API (`/api`): snake_case, times in unix seconds ----

// ---- Live run events (`GET /v1/workflows/runs/:runId/events`) ----

/** A node's status or attempt changed. */
export type NodeEventData = RunNodeEvent;

/** The run's status changed. */
export type RunStatusEventData = RunStatusEvent;

/**
 * One event of a run's live stream: `snapshot` (the run view, first), `node` and `run` changes,
 * and `end` (the final run view, last). `id` is the server's event id; absent for events the
 * client made up from polling.
 */
export type RunEvent =
  | { type: 'snapshot'; id?: string; data: RunView }
  | { type: 'node'; id?: string; data: NodeEventData }
  | { type: 'run'; id?: string; data: RunStatusEventData }
  | { type: 'end'; id?: string; data: RunView };
