import { randomBytes } from 'node:crypto';

/**
 * A new id `<prefix>_<time><random>`: 10 base-36 characters of milliseconds, so ids sort by
 * creation time (cursor paging relies on it), then 12 random ones. No `.` or `$`, so an id is safe
 * as a MongoDB field name too (outbox entries are keyed by message id).
 */
export function newId(prefix: string): string {
  const time = Date.now().toString(36).padStart(10, '0');
  const random = BigInt(`0x${randomBytes(8).toString('hex')}`)
    .toString(36)
    .padStart(12, '0')
    .slice(-12);
  return `${prefix}_${time}${random}`;
}
