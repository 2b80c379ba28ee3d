import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError, type ApiErrorCode } from './api-error';

/** The error Node's HTTP parser reports, by its `code`. */
function errorOf(code: string | undefined): ApiError {
  const [apiCode, message]: [ApiErrorCode, string] =
    code === 'HPE_HEADER_OVERFLOW'
      ? ['headers_too_large', "The request's headers are larger than the server accepts"]
      : code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? ['request_timeout', "The request's headers did not arrive in time"]
        : ['invalid_request', 'The request line or a header is malformed'];
  return new ApiError(
    apiCode,
    message,
    apiCode === 'invalid_request'
      ? { issues: [{ path: 'headers', message: 'is not valid HTTP/1.1' }] }
      : {},
  );
}

/**
 * Answers what Node's HTTP layer refuses before any route sees it — an oversized or malformed
 * header, a request too slow to arrive — with our structured error instead of Node's empty body,
 * then closes the connection, as after such an error it cannot be trusted to frame requests.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const answering = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || answering?.headersSent) {
      socket.destroy();
      return;
    }
    const known = errorOf(error.code);
    const body = JSON.stringify(known.toBody());
    socket.end(
      [
        `HTTP/1.1 ${known.status} ${STATUS_TEXT[known.status] ?? 'Bad Request'}`,
        'Content-Type: application/json; charset=utf-8',
        `Content-Length: ${Buffer.byteLength(body)}`,
        `X-Request-Id: ${randomUUID()}`,
        'Cache-Control: no-store',
        'Connection: close',
        '',
        body,
      ].join('\r\n'),
    );
  });
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};
