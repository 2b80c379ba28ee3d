import type { Logger, ReadinessCheck, WeftMetrics } from '@weft/observability';
import type { TaskTypeRegistry } from '@weft/task-registry';
import type { LiveStreams } from './live-streams';
import type { WaitingExplainer } from './waiting';
import type {
  AppStore,
  ArtifactStore,
  ResultStore,
  RunEngine,
  RunStore,
  VectorStore,
  WebhookDeliveryStore,
  WebhookEndpointStore,
  WorkflowStore,
} from '@weft/store';

/** What the HTTP API needs: the stores it reads and writes, and where to log. */
export interface GatewayDeps {
  /**
   * Authenticates every `/v1` request; manages the app's keys at `/v1/keys`, and apps at
   * `/v1/admin`.
   */
  apps: Pick<
    AppStore,
    | 'authenticate'
    | 'createKey'
    | 'listKeys'
    | 'revokeKey'
    | 'revokedAmong'
    | 'createApp'
    | 'listApps'
    | 'getApp'
  >;
  workflows: Pick<
    WorkflowStore,
    'get' | 'list' | 'versions' | 'save' | 'getById' | 'listOwn' | 'delete'
  >;
  /** Reads the app's runs: one, a page, or again for a watcher. */
  runs: Pick<RunStore, 'get' | 'versionOf' | 'reread' | 'list'>;
  /** Starts, cancels and resumes runs: each a transition written with its outbox, published. */
  engine: Pick<RunEngine, 'create' | 'cancel' | 'resume'>;
  /** Step outputs kept out of line, served at `/v1/artifacts/:id`; uploads stream into it. */
  artifacts: Pick<ArtifactStore, 'open' | 'putStream'>;
  /** What `store_results` wrote, read at `/v1/collections/:name/documents`. */
  results: Pick<ResultStore, 'get' | 'list'>;
  /** The app's vector indexes, at `/v1/indexes/:index`. */
  vectors: Pick<VectorStore, 'upsert' | 'search'>;
  /** The app's webhook endpoints, at `/v1/webhooks`. */
  webhookEndpoints: Pick<
    WebhookEndpointStore,
    'create' | 'list' | 'get' | 'update' | 'delete' | 'rotateSecret'
  >;
  /** Delivery logs, and re-sending by hand. */
  webhookDeliveries: Pick<WebhookDeliveryStore, 'get' | 'forEndpoint' | 'forRun' | 'resend'>;
  /** `WEBHOOK_ALLOW_PRIVATE`: accept private receiver addresses (development only). Default false. */
  allowPrivateWebhooks?: boolean;
  logger: Logger;
  /**
   * The task types registered at run time, followed from Kafka: validation, `/v1/task-types` and
   * `/v1/admin/task-types` use them. Default: the built-in task types only.
   */
  taskTypes?: Pick<TaskTypeRegistry, 'catalogue' | 'list' | 'get' | 'remove'>;
  /** Says why queued and retrying nodes wait (no worker, backlog, backoff); absent: not said. */
  waiting?: WaitingExplainer;
  /** Counts requests and serves `/metrics`; absent: no metrics. */
  metrics?: WeftMetrics;
  /** What `/readyz` checks (database, broker…); absent: ready whenever it answers. */
  readiness?: Record<string, ReadinessCheck>;
  /** Base of every `statusUrl`. Default: from each request's protocol and Host header. */
  publicUrl?: string;
  /** The largest request body accepted. Default: 1 MiB. */
  bodyLimitBytes?: number;
  /** The largest artifact an upload may store. Default: `DEFAULT_ARTIFACT_LIMIT_BYTES`, 100 MiB. */
  artifactLimitBytes?: number;
  /** Requests each API key may make per minute, in this process; 0: no limit. Default: 600. */
  rateLimitPerMinute?: number;
  /** Failed authentications per client address per minute before it is refused unread; 0: no limit. Default: 30. */
  authFailuresPerMinute?: number;
  /** Express's `trust proxy`: which proxies name the client address. Default: none. */
  trustProxy?: number | string;
  /** Working API keys an app may hold. Default: 50. */
  maxKeysPerApp?: number;
  /** The live event streams of this gateway, with their limits. Default: 100 per key, 1000 per app. */
  liveStreams?: LiveStreams;
  /** When set, `/metrics` needs `Authorization: Bearer <metricsToken>`. Default: open. */
  metricsToken?: string;
  /** When set, `/v1/admin` answers `Authorization: Bearer <adminToken>`. Default: no admin API. */
  adminToken?: string;
  /**
   * Called with every JSON answer once it is sent; tests check each against the OpenAPI document.
   * Must not throw. Default: none.
   */
  observeResponse?: (exchange: ObservedExchange) => void;
}

/** A JSON answer as {@link GatewayDeps.observeResponse} sees it. */
export interface ObservedExchange {
  method: string;
  /** The request's path as sent (still percent-encoded), without the query. */
  path: string;
  /** The express route that answered, e.g. `/v1/workflows/runs/:runId`; absent for errors. */
  route?: string;
  status: number;
  contentType: string | undefined;
  /** The value given to `response.json`. */
  body: unknown;
}
