import type { Clock } from '@weft/core';
import { RateLimiter } from './rate-limit';

/** A clock the test moves by hand. */
function manualClock(start = 1_700_000_000_000): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
  };
}

describe('RateLimiter', () => {
  it('allows a burst of the whole limit, then refuses until a request is earned back', () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ limitPerMinute: 5, clock });
    const remaining = [1, 2, 3, 4, 5].map(() => limiter.take('key_a'));
    expect(remaining.map((decision) => [decision.allowed, decision.remaining])).toEqual([
      [true, 4],
      [true, 3],
      [true, 2],
      [true, 1],
      [true, 0],
    ]);
    expect(remaining[0]).toEqual({
      allowed: true,
      limit: 5,
      remaining: 4,
      resetSeconds: 12,
      retryAfterSeconds: 0,
    });

    // 5 a minute: one request comes back every 12 seconds.
    expect(limiter.take('key_a')).toEqual({
      allowed: false,
      limit: 5,
      remaining: 0,
      resetSeconds: 60,
      retryAfterSeconds: 12,
    });
    clock.advance(11_000);
    expect(limiter.take('key_a')).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    clock.advance(1_000);
    expect(limiter.take('key_a')).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('peeks at a decision without spending', () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ limitPerMinute: 2, clock });
    expect(limiter.peek('address')).toMatchObject({ allowed: true, remaining: 2 });
    expect(limiter.size).toBe(0);
    limiter.take('address');
    limiter.take('address');
    expect(limiter.peek('address')).toMatchObject({ allowed: false, retryAfterSeconds: 30 });
    expect(limiter.peek('address')).toMatchObject({ allowed: false, retryAfterSeconds: 30 });
    clock.advance(30_000);
    expect(limiter.peek('address')).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('refills over time, never beyond the limit', () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ limitPerMinute: 60, clock });
    for (let i = 0; i < 60; i++) limiter.take('key_a');
    clock.advance(10_000);
    expect(limiter.take('key_a')).toMatchObject({ allowed: true, remaining: 9, resetSeconds: 51 });
    clock.advance(10 * 60_000);
    expect(limiter.take('key_a')).toMatchObject({ allowed: true, remaining: 59, resetSeconds: 1 });
  });

  it('takes nothing away when the clock steps back', () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ limitPerMinute: 2, clock });
    limiter.take('key_a');
    clock.advance(-30_000);
    expect(limiter.take('key_a')).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('keeps a bucket per key', () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ limitPerMinute: 2, clock });
    limiter.take('key_a');
    limiter.take('key_a');
    expect(limiter.take('key_a').allowed).toBe(false);
    expect(limiter.take('key_b')).toMatchObject({ allowed: true, remaining: 1 });
    expect(limiter.size).toBe(2);
  });

  it('keeps at most maxKeys, forgetting the least recently seen first', () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ limitPerMinute: 1, maxKeys: 3, clock });
    for (const key of ['key_a', 'key_b', 'key_c']) limiter.take(key);
    limiter.take('key_a'); // refused, but seen: now key_b is the oldest
    limiter.take('key_d');
    expect(limiter.size).toBe(3);
    // key_b was forgotten, so it starts over; key_a was not.
    expect(limiter.take('key_b').allowed).toBe(true);
    expect(limiter.take('key_a').allowed).toBe(false);
    for (let i = 0; i < 1000; i++) limiter.take(`key_${i}`);
    expect(limiter.size).toBe(3);
  });

  it('forgets keys idle for a minute, whose buckets are full anyway', () => {
    const clock = manualClock();
    const limiter = new RateLimiter({ limitPerMinute: 10, clock });
    for (let i = 0; i < 50; i++) limiter.take(`key_${i}`);
    expect(limiter.size).toBe(50);
    clock.advance(60_000);
    // Each request drops up to two idle keys, so the idle ones drain while one key stays busy.
    for (let i = 0; i < 25; i++) limiter.take('key_busy');
    expect(limiter.size).toBe(1);
  });

  it('refuses a limit or bound that is not a positive integer', () => {
    expect(() => new RateLimiter({ limitPerMinute: 0 })).toThrow(RangeError);
    expect(() => new RateLimiter({ limitPerMinute: 1.5 })).toThrow(RangeError);
    expect(() => new RateLimiter({ limitPerMinute: 5, maxKeys: 0 })).toThrow(RangeError);
  });
});
