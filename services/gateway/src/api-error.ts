import { httpStatusOf, type ApiErrorCode, type ErrorBody } from '@weft/contract';

// The codes, their statuses and meanings, and the body of every error answer, are the API's.
export { httpStatusOf, type ApiErrorCode };
export type ApiErrorBody = ErrorBody;

/** An error to answer with: thrown anywhere in a handler, turned into a response by the app. */
export class ApiError extends Error {
  override name = 'ApiError';

  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get status(): number {
    return httpStatusOf(this.code);
  }

  toBody(): ApiErrorBody {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

/** 404 `not_found` for a request no route answers, naming its method and its whole path. */
export function routeNotFound(request: {
  method: string;
  baseUrl: string;
  path: string;
}): ApiError {
  // Inside a mounted router `path` is the rest after the mount point, `baseUrl`.
  const path = `${request.baseUrl}${request.path}`;
  return new ApiError('not_found', `No route ${request.method} ${path}`, {
    method: request.method,
    path,
  });
}
