import {
  ConfigError,
  integer,
  parsePublicUrl,
  readBaseConfig,
  type BaseConfig,
} from '@weft/config';
import { allowPrivateFromEnv } from '@weft/webhooks';
import { DEFAULT_RETRY_SCHEDULE_MS } from './retry-schedule';

/** The dispatcher's settings, parsed once at start; each default is in DISPATCHER_DEFAULTS. */
export interface DispatcherConfig {
  /**
   * `WEBHOOK_RETRY_SCHEDULE_MS`: delays between attempts after the first fails. Default:
   * DEFAULT_RETRY_SCHEDULE_MS (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h).
   */
  retryScheduleMs: readonly number[];
  /** `WEBHOOK_TIMEOUT_MS`: one attempt's limit, connect to response. Default: 15000. */
  timeoutMs: number;
  /** `WEBHOOK_CONCURRENCY`: deliveries attempted at once. Default: 16. */
  concurrency: number;
  /**
   * `WEBHOOK_LEASE_MS`: how long a claimed delivery is ours before another dispatcher may take it.
   * Default: twice the timeout, at least 60000.
   */
  leaseMs: number;
  /** `WEBHOOK_POLL_INTERVAL_MS`: how often due deliveries are looked for when idle. Default: 500. */
  pollIntervalMs: number;
  /** `WEBHOOK_ALLOW_PRIVATE=1`: private and loopback receivers allowed (development only). Default: off. */
  allowPrivate: boolean;
  /** `PUBLIC_URL`: the gateway's external URL, for each body's `statusUrl`. Default: http://localhost:8080. */
  publicUrl: string;
}

/** The dispatcher's defaults, as documented on DispatcherConfig. */
export const DISPATCHER_DEFAULTS = Object.freeze({
  retryScheduleMs: DEFAULT_RETRY_SCHEDULE_MS,
  timeoutMs: 15_000,
  concurrency: 16,
  // Longer than an attempt can take, so a live dispatcher never loses its claim mid-request.
  leaseMs: (timeoutMs: number) => Math.max(60_000, timeoutMs * 2),
  pollIntervalMs: 500,
  publicUrl: 'http://localhost:8080',
});

export interface WebhooksServiceConfig extends BaseConfig, DispatcherConfig {}

function schedule(env: NodeJS.ProcessEnv): readonly number[] {
  const raw = env.WEBHOOK_RETRY_SCHEDULE_MS?.trim();
  if (!raw) return DISPATCHER_DEFAULTS.retryScheduleMs;
  const delays = raw.split(',').map((part) => Number(part.trim()));
  if (delays.some((delay) => !Number.isInteger(delay) || delay < 0 || delay > 7 * 86_400_000)) {
    throw new ConfigError(
      'WEBHOOK_RETRY_SCHEDULE_MS must be comma-separated whole milliseconds, each at most 7 days',
    );
  }
  return Object.freeze(delays);
}

/** Reads the webhooks service's environment; throws ConfigError naming what to fix. */
export function readWebhooksConfig(env: NodeJS.ProcessEnv): WebhooksServiceConfig {
  const defaults = DISPATCHER_DEFAULTS;
  const timeoutMs = integer(env, 'WEBHOOK_TIMEOUT_MS', defaults.timeoutMs, {
    min: 100,
    max: 120_000,
  });
  return Object.freeze({
    ...readBaseConfig(env),
    retryScheduleMs: schedule(env),
    timeoutMs,
    concurrency: integer(env, 'WEBHOOK_CONCURRENCY', defaults.concurrency, { min: 1, max: 1000 }),
    leaseMs: integer(env, 'WEBHOOK_LEASE_MS', defaults.leaseMs(timeoutMs), {
      min: timeoutMs + 1000,
      max: 3_600_000,
    }),
    pollIntervalMs: integer(env, 'WEBHOOK_POLL_INTERVAL_MS', defaults.pollIntervalMs, {
      min: 10,
      max: 60_000,
    }),
    allowPrivate: allowPrivateFromEnv(env),
    publicUrl: parsePublicUrl(env.PUBLIC_URL?.trim() || defaults.publicUrl),
  });
}
