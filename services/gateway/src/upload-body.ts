import type { Request } from 'express';
import { ApiError } from './api-error';

/** 413 `artifact_too_large`: an upload over `limitBytes`. */
export function artifactTooLarge(limitBytes: number): ApiError {
  return new ApiError(
    'artifact_too_large',
    `The artifact is larger than this gateway stores (${limitBytes} bytes)`,
    { limitBytes },
  );
}

function incomplete(cause: unknown): ApiError {
  return new ApiError('invalid_request', 'The request body was incomplete', {}, { cause });
}

/**
 * A raw request body as it arrives, for a store to write as it goes: it fails with 413 as soon as
 * it passes `limitBytes`, and with 400 when the body breaks off before its end, so the store
 * abandons the upload either way. The request is left open when reading stops, so the answer can
 * still be sent.
 */
export async function* boundedBody(
  request: Request,
  limitBytes: number,
): AsyncGenerator<Uint8Array, void, undefined> {
  let received = 0;
  try {
    for await (const chunk of request.iterator({ destroyOnReturn: false })) {
      const bytes = chunk as Buffer;
      received += bytes.length;
      if (received > limitBytes) throw artifactTooLarge(limitBytes);
      yield bytes;
    }
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw incomplete(error);
  }
  if (!request.complete) throw incomplete(undefined);
}
