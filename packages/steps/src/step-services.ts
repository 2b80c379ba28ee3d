import type { ProviderConfig } from '@weft/providers';
import type { ArtifactStore, ResultStore, VectorStore } from '@weft/store';
import type { StepSecrets } from './step-secrets';

/** Where `emit_webhook` sends when its node names no url: the app's configured endpoints. */
export interface WebhookEndpointTarget {
  id: string;
  url: string;
  /** `whsec_…`; several while a secret rotates. */
  secrets: string[];
}

/** What the AI and data steps reach beyond their inputs: providers, stores, the outside world. */
export interface StepServices {
  providers: ProviderConfig;
  artifacts: ArtifactStore;
  results: ResultStore;
  vectors: VectorStore;
  /** The gateway's public base URL: artifact URLs are built on it. */
  publicUrl: string;
  /** `WEBHOOK_ALLOW_PRIVATE`: lets outbound requests reach private addresses (development only). */
  allowPrivateNetworks: boolean;
  /** `STEP_SECRETS`: what `http_request` steps may send in headers, by name. */
  secrets: StepSecrets;
  /** The app's signing secrets for webhooks it sends, newest first. */
  webhookSecrets(appId: string): Promise<string[]>;
  /** The app's enabled endpoints that receive `event`; none until the app configures some. */
  webhookEndpoints(appId: string, event: string): Promise<WebhookEndpointTarget[]>;
}
