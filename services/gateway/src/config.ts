import { integer, parsePublicUrl, readBaseConfig, type BaseConfig } from '@weft/config';

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
  /** `SHUTDOWN_GRACE_MS`: how long requests in flight may finish after SIGTERM. Default: 10000. */
  shutdownGraceMs: number;
  /**
   * `RATE_LIMIT_PER_MINUTE`: requests each API key may make per minute, counted by each gateway
   * instance on its own; 0 turns the limit off. Default: 600.
   */
  rateLimitPerMinute: number;
}

/** The default request body limit: 1 MiB. */
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

/** The default requests per minute per API key: 600, ten a second. */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 600;

/** Parses the gateway's environment into a frozen object; throws ConfigError naming what to fix. */
export function readGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const publicUrl = env.PUBLIC_URL?.trim();
  return Object.freeze({
    ...readBaseConfig(env),
    port: integer(env, 'PORT', 8080, { min: 0, max: 65535 }),
    ...(publicUrl ? { publicUrl: parsePublicUrl(publicUrl) } : {}),
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', DEFAULT_BODY_LIMIT_BYTES, {
      min: 1024,
      max: 64 * 1024 * 1024,
    }),
    shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', 10_000, { min: 0, max: 600_000 }),
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', DEFAULT_RATE_LIMIT_PER_MINUTE, {
      min: 0,
      max: 1_000_000,
    }),
  });
}
