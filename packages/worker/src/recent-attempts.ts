// The attempts this worker took lately, kept in memory: the cheap first check against a
// redelivered step message, before the database's claim.

/**
 * Attempt keys taken lately, oldest first. The same attempt again (a re-published outbox message,
 * a redelivery after a rebalance) is skipped: running it twice would repeat its side effect.
 * Bounded, as it only has to span a redelivery.
 */
export class RecentAttempts {
  private readonly keys = new Set<string>();

  /** `limit`: the keys kept before the oldest is forgotten. Default: 50 000. */
  constructor(private readonly limit = 50_000) {}

  /** True when the attempt was taken lately and not handed back since. */
  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** Remembers a taken attempt, forgetting the oldest beyond the limit. */
  remember(key: string): void {
    this.keys.add(key);
    if (this.keys.size > this.limit) {
      const oldest = this.keys.values().next().value;
      if (oldest !== undefined) this.keys.delete(oldest);
    }
  }

  /** Forgets an attempt handed back: it must run again, wherever its message goes next. */
  forget(key: string): void {
    this.keys.delete(key);
  }
}
