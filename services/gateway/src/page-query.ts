import type { Request } from 'express';
import { ApiError } from './api-error';

/**
 * `?limit=&cursor=` of a listing: a limit from 1 to `limits.max` (default `limits.default`) and a
 * cursor of the listed ids' shape (`cursorName` is what the answers call it); 400 otherwise.
 */
export function pageQuery(
  request: Request,
  options: {
    limits: { default: number; max: number };
    cursor: RegExp;
    cursorName: string;
  },
): { limit: number; cursor?: string } {
  const query = request.query as Record<string, unknown>;
  const raw = query.limit;
  const { limits } = options;
  const limit = raw === undefined ? limits.default : Number(raw);
  if (
    (raw !== undefined && (typeof raw !== 'string' || !/^[0-9]{1,3}$/.test(raw))) ||
    limit < 1 ||
    limit > limits.max
  ) {
    throw new ApiError('invalid_request', `limit must be an integer from 1 to ${limits.max}`, {
      issues: [{ path: 'query:limit', message: `must be from 1 to ${limits.max}` }],
    });
  }
  const cursor = query.cursor;
  if (cursor !== undefined && (typeof cursor !== 'string' || !options.cursor.test(cursor))) {
    throw new ApiError(
      'invalid_request',
      `cursor must be a ${options.cursorName} from a previous page`,
      { issues: [{ path: 'query:cursor', message: 'is not a cursor' }] },
    );
  }
  return { limit, ...(cursor !== undefined ? { cursor } : {}) };
}
