import type { Request } from 'express';
import { ApiError } from './api-error';

/**
 * `?limit=&cursor=` of a listing: a limit from 1 to `maxLimit` (default `defaultLimit`) and a
 * cursor of the listed ids' shape (`cursorName` is what the answers call it); 400 otherwise.
 */
export function pageQuery(
  request: Request,
  options: { defaultLimit: number; maxLimit: number; cursor: RegExp; cursorName: string },
): { limit: number; cursor?: string } {
  const query = request.query as Record<string, unknown>;
  const raw = query.limit;
  const limit = raw === undefined ? options.defaultLimit : Number(raw);
  if (
    (raw !== undefined && (typeof raw !== 'string' || !/^[0-9]{1,3}$/.test(raw))) ||
    limit < 1 ||
    limit > options.maxLimit
  ) {
    throw new ApiError(
      'invalid_request',
      `limit must be an integer from 1 to ${options.maxLimit}`,
      {
        issues: [{ path: 'query:limit', message: `must be from 1 to ${options.maxLimit}` }],
      },
    );
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
