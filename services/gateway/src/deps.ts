import type { Logger } from '@weft/observability';
import type { AppStore, RunStore, WorkflowStore } from '@weft/store';

/** What the HTTP API needs: the stores it reads and writes, and where to log. */
export interface GatewayDeps {
  apps: Pick<AppStore, 'authenticate'>;
  workflows: Pick<WorkflowStore, 'get' | 'list' | 'versions' | 'save'>;
  runs: Pick<RunStore, 'create' | 'get' | 'list' | 'cancel' | 'resume'>;
  logger: Logger;
  /** Base of every `statusUrl`. Default: from each request's protocol and Host header. */
  publicUrl?: string;
  /** The largest request body accepted. Default: 1 MiB. */
  bodyLimitBytes?: number;
}
