/**
 * The source of "now" for core logic. Core never reads the system time itself, so every deadline
 * and timer computation can be tested exactly; services pass in a clock backed by Date.now().
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** A clock stopped at `ms` (epoch milliseconds), for tests and for replaying a recorded moment. */
export function fixedClock(ms: number): Clock {
  return { now: () => ms };
}
