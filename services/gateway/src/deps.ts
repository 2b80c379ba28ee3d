import type { Logger } from '@weft/observability';
import type {
  AppStore,
  ArtifactStore,
  ResultStore,
  RunStore,
  VectorStore,
  WorkflowStore,
} from '@weft/store';

/** What the HTTP API needs: the stores it reads and writes, and where to log. */
export interface GatewayDeps {
  apps: Pick<AppStore, 'authenticate'>;
  workflows: Pick<WorkflowStore, 'get' | 'list' | 'versions' | 'save'>;
  runs: Pick<RunStore, 'create' | 'get' | 'list' | 'cancel' | 'resume'>;
  /** Step outputs kept out of line, served at `/v1/artifacts/:id`. */
  artifacts: Pick<ArtifactStore, 'open'>;
  /** What `store_results` wrote, read at `/v1/collections/:name/documents`. */
  results: Pick<ResultStore, 'get' | 'list'>;
  /** The app's vector indexes, at `/v1/indexes/:index`. */
  vectors: Pick<VectorStore, 'upsert' | 'search'>;
  logger: Logger;
  /** Base of every `statusUrl`. Default: from each request's protocol and Host header. */
  publicUrl?: string;
  /** The largest request body accepted. Default: 1 MiB. */
  bodyLimitBytes?: number;
}
