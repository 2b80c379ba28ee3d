import {
  ConfigError,
  integer,
  parsePublicUrl,
  readBaseConfig,
  type BaseConfig,
} from '@weft/config';
import { allowPrivateFromEnv } from '@weft/webhooks';
import { DEFAULT_RETRY_SCHEDULE_MS } from './retry-schedule';

/** The dispatcher's settings, parsed once at start. */
export interface DispatcherConfig {
  /** Delays between attempts after the first fails (`WEBHOOK_RETRY_SCHEDULE_MS`). */
  retryScheduleMs: readonly number[];
  /** One attempt's limit, connect to response (`WEBHOOK_TIMEOUT_MS`, default 15000). */
  timeoutMs: number;
  /** Deliveries attempted at once (`WEBHOOK_CONCURRENCY`, default 16). */
  concurrency: number;
  /** How long a claimed delivery is ours before another dispatcher may take it (`WEBHOOK_LEASE_MS`). */
  leaseMs: number;
  /** How often due deliveries are looked for when idle (`WEBHOOK_POLL_INTERVAL_MS`, default 500). */
  pollIntervalMs: number;
  /** `WEBHOOK_ALLOW_PRIVATE=1`: private and loopback receivers allowed (development only). */
  allowPrivate: boolean;
  /** The gateway's external URL, for each body's `statusUrl` (`PUBLIC_URL`). */
  publicUrl: string;
}

export interface WebhooksServiceConfig extends BaseConfig, DispatcherConfig {}

function schedule(env: NodeJS.ProcessEnv): readonly number[] {
  const raw = env.WEBHOOK_RETRY_SCHEDULE_MS?.trim();
  if (!raw) return DEFAULT_RETRY_SCHEDULE_MS;
  const delays = raw.split(',').map((part) => Number(part.trim()));
  if (delays.some((delay) => !Number.isInteger(delay) || delay < 0 || delay > 7 * 86_400_000)) {
    throw new ConfigError(
      'WEBHOOK_RETRY_SCHEDULE_MS must be comma-separated whole milliseconds, each at most 7 days',
    );
  }
  return Object.freeze(delays);
}

/** Reads the webhooks service's environment; throws ConfigError naming what to fix. */
export function readWebhooksConfig(env: NodeJS.ProcessEnv = process.env): WebhooksServiceConfig {
  const timeoutMs = integer(env, 'WEBHOOK_TIMEOUT_MS', 15_000, { min: 100, max: 120_000 });
  return Object.freeze({
    ...readBaseConfig(env),
    retryScheduleMs: schedule(env),
    timeoutMs,
    concurrency: integer(env, 'WEBHOOK_CONCURRENCY', 16, { min: 1, max: 1000 }),
    // Longer than an attempt can take, so a live dispatcher never loses its claim mid-request.
    leaseMs: integer(env, 'WEBHOOK_LEASE_MS', Math.max(60_000, timeoutMs * 2), {
      min: timeoutMs + 1000,
      max: 3_600_000,
    }),
    pollIntervalMs: integer(env, 'WEBHOOK_POLL_INTERVAL_MS', 500, { min: 10, max: 60_000 }),
    allowPrivate: allowPrivateFromEnv(env),
    publicUrl: parsePublicUrl(env.PUBLIC_URL?.trim() || 'http://localhost:8080'),
  });
}
