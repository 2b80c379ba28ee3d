import type { RequestHandler } from 'express';
import type { Clock } from '@weft/core';
import { ApiError } from './api-error';
import { principalOf } from './principal';
import { DEFAULT_RATE_LIMIT_PER_MINUTE } from './config';

/** The window a limit is stated over, and the longest a bucket takes to refill completely. */
const WINDOW_MS = 60_000;

/** Keys tracked at once by default: far more than are active in any one minute. */
export const DEFAULT_MAX_TRACKED_KEYS = 10_000;

/**
 * The most idle buckets dropped per request. Two, while each request adds at most one, so buckets
 * of keys that went quiet go faster than new keys arrive.
 */
const EVICT_PER_TAKE = 2;

/** Refill is fractional: without this, 0.9999999999 tokens would refuse a request that is due. */
const TOKEN_EPSILON = 1e-9;

/** Options of a {@link RateLimiter}. */
export interface RateLimiterOptions {
  /** Requests a key may make per minute; also the burst it may make at once. At least 1. */
  limitPerMinute: number;
  /**
   * The most keys tracked at once; past it the least recently seen key is forgotten (and starts
   * over with a full bucket). Default: {@link DEFAULT_MAX_TRACKED_KEYS}.
   */
  maxKeys?: number;
  /** Default: the system clock. */
  clock?: Clock;
}

/** What {@link RateLimiter.take} decided, with what the RateLimit headers say about it. */
export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  /** Whole requests the key may make now. */
  remaining: number;
  /** Seconds until the key's full limit is available again. */
  resetSeconds: number;
  /** Seconds until the next request would be allowed; 0 when this one was. */
  retryAfterSeconds: number;
}

interface Bucket {
  /** Fractional: tokens come back continuously. */
  tokens: number;
  updatedAt: number;
}

const systemClock: Clock = { now: () => Date.now() };

/**
 * A token bucket per key, in memory: a key may spend its whole limit at once, and gets it back at
 * `limitPerMinute / 60` a second. A bucket idle for a minute is full, which is what an untracked
 * key gets, so it is forgotten; and at most `maxKeys` are kept, least recently seen first to go.
 */
export class RateLimiter {
  readonly limit: number;
  private readonly maxKeys: number;
  private readonly clock: Clock;
  /** In order of last use, oldest first: a Map iterates in insertion order. */
  private readonly buckets = new Map<string, Bucket>();

  constructor(options: RateLimiterOptions) {
    const { limitPerMinute, maxKeys = DEFAULT_MAX_TRACKED_KEYS, clock = systemClock } = options;
    if (!Number.isInteger(limitPerMinute) || limitPerMinute < 1) {
      throw new RangeError(`limitPerMinute must be a positive integer, not ${limitPerMinute}`);
    }
    if (!Number.isInteger(maxKeys) || maxKeys < 1) {
      throw new RangeError(`maxKeys must be a positive integer, not ${maxKeys}`);
    }
    this.limit = limitPerMinute;
    this.maxKeys = maxKeys;
    this.clock = clock;
  }

  /** How many keys are tracked now. */
  get size(): number {
    return this.buckets.size;
  }

  /** Spends one request of `key`'s limit if it has one left. */
  take(key: string): RateLimitDecision {
    return this.decide(key, true);
  }

  /** What {@link take} would decide now, spending nothing. */
  peek(key: string): RateLimitDecision {
    return this.decide(key, false);
  }

  private decide(key: string, spend: boolean): RateLimitDecision {
    const now = this.clock.now();
    const bucket = this.buckets.get(key);
    // A clock stepping back must not take tokens away.
    const elapsed = bucket ? Math.max(0, now - bucket.updatedAt) : 0;
    let tokens = bucket
      ? Math.min(this.limit, bucket.tokens + (elapsed * this.limit) / WINDOW_MS)
      : this.limit;
    const allowed = tokens + TOKEN_EPSILON >= 1;
    if (spend) {
      if (allowed) tokens = Math.max(0, tokens - 1);
      this.buckets.delete(key);
      this.buckets.set(key, { tokens, updatedAt: now });
      this.evict(now);
    }

    return {
      allowed,
      limit: this.limit,
      remaining: Math.floor(tokens + TOKEN_EPSILON),
      resetSeconds: Math.ceil(this.msToEarn(this.limit - tokens) / 1000),
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil(this.msToEarn(1 - tokens) / 1000)),
    };
  }

  /** Whole milliseconds, so float noise cannot push a ceil to the next second. */
  private msToEarn(tokens: number): number {
    return Math.round((tokens * WINDOW_MS) / this.limit);
  }

  private evict(now: number): void {
    let dropped = 0;
    for (const [key, bucket] of this.buckets) {
      if (this.buckets.size > this.maxKeys) {
        this.buckets.delete(key);
      } else if (dropped < EVICT_PER_TAKE && now - bucket.updatedAt >= WINDOW_MS) {
        this.buckets.delete(key);
        dropped++;
      } else {
        return;
      }
    }
  }
}

/**
 * Limits each API key to `limitPerMinute` requests (0: no limit), answering 429 `rate_limited`
 * beyond it. Goes right after requireApiKey, before the body is read, so a throttled request costs
 * one lookup. Sets `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers) on
 * every answer it lets through or refuses. Default: {@link DEFAULT_RATE_LIMIT_PER_MINUTE}.
 */
export function rateLimitPerKey(
  limitPerMinute: number = DEFAULT_RATE_LIMIT_PER_MINUTE,
  options: Omit<RateLimiterOptions, 'limitPerMinute'> = {},
): RequestHandler {
  if (limitPerMinute === 0) return (_request, _response, next) => next();
  const limiter = new RateLimiter({ ...options, limitPerMinute });
  const policy = `${limitPerMinute};w=${WINDOW_MS / 1000}`;
  return (_request, response, next) => {
    const { allowed, limit, remaining, resetSeconds, retryAfterSeconds } = limiter.take(
      principalOf(response).keyId,
    );
    response.set({
      'RateLimit-Policy': policy,
      RateLimit: `limit=${limit}, remaining=${remaining}, reset=${resetSeconds}`,
    });
    if (!allowed) {
      response.set('Retry-After', String(retryAfterSeconds));
      throw new ApiError(
        'rate_limited',
        `This API key is over its ${limit} requests a minute; retry in ${retryAfterSeconds} s`,
        { limitPerMinute: limit, retryAfterSeconds },
      );
    }
    next();
  };
}
