import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether a scrape may read `/metrics`: always when no token is set, else only with
 * `Authorization: Bearer <token>`. The comparison is of fixed-length digests, so its time says
 * nothing about the token.
 */
export function metricsScrapeAllowed(
  authorization: string | undefined,
  token: string | undefined,
): boolean {
  if (token === undefined) return true;
  const given = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  if (given === undefined) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(token));
}

/** The label values one metric keeps apart; past it, new values share one. */
export const DEFAULT_MAX_LABEL_VALUES = 200;

/** The label every value past the limit shares. */
export const OTHER_LABEL = '(other)';

/**
 * A label whose values come from users (a workflow's slug): the first `max` values seen are kept
 * apart and the rest share {@link OTHER_LABEL}, so the number of series has a ceiling whatever
 * users name things.
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(private readonly max: number = DEFAULT_MAX_LABEL_VALUES) {}

  of(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.max) return OTHER_LABEL;
    this.seen.add(value);
    return value;
  }
}
