import { randomBytes } from 'node:crypto';

const RANDOM_DIGITS = 12;
const RANDOM_LIMIT = 36n ** BigInt(RANDOM_DIGITS);

// The last id's parts: ids made within one millisecond count up from it, so they still sort.
let lastTime = 0;
let lastRandom = 0n;

/**
 * A new id `<prefix>_<time><random>`: 10 base-36 characters of milliseconds, so ids sort by
 * creation time (cursor paging relies on it), then 12 random ones. Within one process, ids made in
 * the same millisecond (or while the clock steps back) increment the previous random part instead,
 * so they sort in the order they were made. No `.` or `$`, so an id is safe as a MongoDB field name
 * too (outbox entries are keyed by message id).
 */
export function newId(prefix: string): string {
  const now = Date.now();
  if (now > lastTime) {
    lastTime = now;
    lastRandom = BigInt(`0x${randomBytes(8).toString('hex')}`) % (RANDOM_LIMIT / 2n);
  } else {
    lastRandom = (lastRandom + 1n) % RANDOM_LIMIT;
  }
  const time = lastTime.toString(36).padStart(10, '0');
  return `${prefix}_${time}${lastRandom.toString(36).padStart(RANDOM_DIGITS, '0')}`;
}
