import {
  ConfigError,
  integer,
  parsePublicUrl,
  readBaseConfig,
  type BaseConfig,
} from '@weft/config';
import { DEFAULT_ARTIFACT_LIMIT_BYTES } from '@weft/contract';
import { s3ArtifactStoreOptionsFromEnv, type S3ArtifactStoreOptions } from '@weft/store';
import { allowPrivateFromEnv } from '@weft/webhooks';

export { parsePublicUrl } from '@weft/config';

/** The gateway's settings, parsed once at start (see {@link readGatewayConfig}). */
export interface GatewayConfig extends BaseConfig {
  /** `PORT`: where the HTTP API listens. Default: 8080. */
  port: number;
  /**
   * `PUBLIC_URL`: the API's external base URL, e.g. `https://api.example.com`, used to build
   * `statusUrl`. Default: derived from each request's protocol and Host header, which is right
   * unless the gateway sits behind a proxy that rewrites them.
   */
  publicUrl?: string;
  /** `BODY_LIMIT_BYTES`: the largest request body accepted (413 beyond). Default: 1 MiB. */
  bodyLimitBytes: number;
  /**
   * `ARTIFACT_LIMIT_BYTES`: the largest artifact an upload may store (413 `artifact_too_large`
   * beyond). Default: 100 MiB (`DEFAULT_ARTIFACT_LIMIT_BYTES`).
   */
  artifactLimitBytes: number;
  /** `SHUTDOWN_GRACE_MS`: how long requests in flight may finish after SIGTERM. Default: 10000. */
  shutdownGraceMs: number;
  /**
   * `RATE_LIMIT_PER_MINUTE`: requests each API key may make per minute, counted by each gateway
   * instance on its own; 0 turns the limit off. Default: 600.
   */
  rateLimitPerMinute: number;
  /**
   * `AUTH_FAILURES_PER_MINUTE`: failed authentications each client address may make per minute
   * before its requests are refused unread (429 `too_many_auth_failures`); 0 turns this off.
   * Default: 30.
   */
  authFailuresPerMinute: number;
  /**
   * `TRUST_PROXY`: which proxies' `X-Forwarded-For` names the client address, as express's
   * `trust proxy` setting: a number of hops, or addresses and subnets separated by commas.
   * Default: none, the client is the socket's peer.
   */
  trustProxy?: number | string;
  /** `MAX_KEYS_PER_APP`: working (unrevoked) API keys an app may hold (409 beyond). Default: 50. */
  maxKeysPerApp: number;
  /** `MAX_STREAMS_PER_KEY`: live event streams one API key may hold open at once. Default: 100. */
  maxStreamsPerKey: number;
  /** `MAX_STREAMS_PER_APP`: live event streams one app may hold open at once. Default: 1000. */
  maxStreamsPerApp: number;
  /**
   * `ARTIFACT_STORE=s3` with the `S3_*` variables: artifacts are read from that bucket, as workers
   * write them. Default: none, artifacts in MongoDB's GridFS (`ARTIFACT_STORE=gridfs`).
   */
  s3Artifacts?: S3ArtifactStoreOptions;
  /**
   * `WEBHOOK_ALLOW_PRIVATE=1` (or `true`): webhook URLs may name private and loopback addresses;
   * development only. Default: off.
   */
  allowPrivateWebhooks?: true;
  /**
   * `ADMIN_TOKEN`: opens the admin API (`/v1/admin`: apps and any app's keys) to
   * `Authorization: Bearer <token>`; at least 32 characters. Default: none, no admin API.
   */
  adminToken?: string;
}

/** The shortest `ADMIN_TOKEN` accepted: it guards every app, so it must not be guessable. */
export const MIN_ADMIN_TOKEN_LENGTH = 32;

/**
 * The most `ARTIFACT_LIMIT_BYTES` may be: 5 GiB, S3's limit on one PUT, which is how the S3 store
 * writes an artifact (after holding it in memory: keep the limit well below the memory you have).
 */
export const MAX_ARTIFACT_LIMIT_BYTES = 5 * 1024 * 1024 * 1024;

/** The default request body limit: 1 MiB. */
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

/** The default requests per minute per API key: 600, ten a second. */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 600;

/** The default failed authentications per minute per client address: 30. */
export const DEFAULT_AUTH_FAILURES_PER_MINUTE = 30;

/** The default working API keys per app: 50. */
export const DEFAULT_MAX_KEYS_PER_APP = 50;

/** The default live streams per API key and per app. */
export const DEFAULT_STREAM_LIMITS = { perKey: 100, perApp: 1000 } as const;

/** The default time requests in flight may take to finish once the gateway stops: 10 s. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

/** `TRUST_PROXY` as express takes it: hops as a number, else the addresses as given. */
function trustProxyOf(raw: string | undefined): number | string | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** Parses the gateway's environment into a frozen object; throws ConfigError naming what to fix. */
export function readGatewayConfig(env: NodeJS.ProcessEnv): GatewayConfig {
  const publicUrl = env.PUBLIC_URL?.trim();
  const adminToken = env.ADMIN_TOKEN?.trim();
  if (adminToken && (adminToken.length < MIN_ADMIN_TOKEN_LENGTH || /\s/.test(adminToken))) {
    throw new ConfigError(
      `ADMIN_TOKEN must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters without spaces (e.g. openssl rand -hex 32)`,
    );
  }
  const trustProxy = trustProxyOf(env.TRUST_PROXY);
  const s3Artifacts = s3ArtifactStoreOptionsFromEnv(env);
  return Object.freeze({
    ...readBaseConfig(env),
    port: integer(env, 'PORT', 8080, { min: 0, max: 65535 }),
    ...(publicUrl ? { publicUrl: parsePublicUrl(publicUrl) } : {}),
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', DEFAULT_BODY_LIMIT_BYTES, {
      min: 1024,
      max: 64 * 1024 * 1024,
    }),
    artifactLimitBytes: integer(env, 'ARTIFACT_LIMIT_BYTES', DEFAULT_ARTIFACT_LIMIT_BYTES, {
      min: 1,
      max: MAX_ARTIFACT_LIMIT_BYTES,
    }),
    shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', DEFAULT_SHUTDOWN_GRACE_MS, {
      min: 0,
      max: 600_000,
    }),
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', DEFAULT_RATE_LIMIT_PER_MINUTE, {
      min: 0,
      max: 1_000_000,
    }),
    authFailuresPerMinute: integer(
      env,
      'AUTH_FAILURES_PER_MINUTE',
      DEFAULT_AUTH_FAILURES_PER_MINUTE,
      { min: 0, max: 1_000_000 },
    ),
    ...(trustProxy === undefined ? {} : { trustProxy }),
    maxKeysPerApp: integer(env, 'MAX_KEYS_PER_APP', DEFAULT_MAX_KEYS_PER_APP, {
      min: 1,
      max: 10_000,
    }),
    maxStreamsPerKey: integer(env, 'MAX_STREAMS_PER_KEY', DEFAULT_STREAM_LIMITS.perKey, {
      min: 1,
      max: 100_000,
    }),
    maxStreamsPerApp: integer(env, 'MAX_STREAMS_PER_APP', DEFAULT_STREAM_LIMITS.perApp, {
      min: 1,
      max: 1_000_000,
    }),
    ...(s3Artifacts ? { s3Artifacts } : {}),
    ...(allowPrivateFromEnv(env) ? { allowPrivateWebhooks: true as const } : {}),
    ...(adminToken ? { adminToken } : {}),
  });
}
