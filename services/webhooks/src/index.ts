export {
  DISPATCHER_DEFAULTS,
  readWebhooksConfig,
  type DispatcherConfig,
  type WebhooksServiceConfig,
} from './config';
export { WebhookDispatcher, type DispatcherStores } from './dispatcher';
export { DEFAULT_RETRY_SCHEDULE_MS } from './retry-schedule';
export { startWebhooks, type WebhooksDeps } from './start-webhooks';
