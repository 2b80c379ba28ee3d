// The wire shapes of Weft's HTTP API (services/gateway/README.md). Those the contract declares
// (@weft/contract, which the gateway's views and the OpenAPI document come from too) are its
// types; the rest are still declared here until they move there.

import type {
  StoredDocument,
  VectorItemSaved,
  WebhookEndpointWithSecret,
  RunNodeEvent,
  RunStatus,
  RunStatusEvent,
  RunSummary,
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

/** What every run start may carry. */
interface StartRunCommon {
  /** Optional; when given it must be the API key's app (403 `app_mismatch`). */
  appId?: string;
  /** The run's input, checked against the workflow's parameters (422 `invalid_input`). */
  input?: Record<string, unknown>;
  /** Notified (signed, Standard Webhooks) when the run ends. */
  webhookUrl?: string;
  /**
   * Makes a retried start return the first start's run. Default: a fresh random key per call,
   * so the client's own retries never start a run twice.
   */
  idempotencyKey?: string;
}

/** `POST /v1/workflows/run`: a saved workflow by slug or id, or an inline plan. */
export type StartRunRequest =
  | (StartRunCommon & { workflowSlug: string; version?: number })
  | (StartRunCommon & { workflowId: string; version?: number })
  | (StartRunCommon & { plan: WorkflowDocument });

/** The answer to a run start (202). */
export interface StartedRun {
  runId: string;
  status: RunStatus;
  statusUrl: string;
  /** The `Idempotency-Key` the start was sent with: start again with it to get the same run. */
  idempotencyKey: string;
}

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
export interface RunPage {
  runs: RunSummary[];
  /** Pass as `cursor` for the next page; `null` on the last. */
  nextCursor: string | null;
}

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
