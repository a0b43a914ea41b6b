import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { errorBody, type ErrorCode } from '@ecg/contracts';

/**
 * Errors Node's HTTP parser raises before Fastify sees a request (a URL or
 * headers over Node's 16 KiB limit, a malformed request line, a client that
 * sends its headers too slowly), answered in the app's own error body instead
 * of Fastify's default `{"error","message","statusCode"}`. Mirrors Fastify's
 * default handler otherwise: nothing is written to a socket that is gone.
 */
export function clientErrorResponse(errCode: string | undefined): { status: number; code: ErrorCode; message: string } {
  if (errCode === 'HPE_HEADER_OVERFLOW') {
    return { status: 431, code: 'PAYLOAD_TOO_LARGE', message: 'the request URL or headers are too large (16 KiB at most)' };
  }
  if (errCode === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { status: 408, code: 'VALIDATION_ERROR', message: 'the request did not arrive in time' };
  }
  return { status: 400, code: 'VALIDATION_ERROR', message: 'the request is malformed' };
}

export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, code, message } = clientErrorResponse(err.code);
  const body = JSON.stringify(errorBody(code, message));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
