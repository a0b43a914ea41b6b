import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { errorBody, type ErrorCode } from '@ecg/contracts';

/**
 * The one error type the backend throws on purpose. The error handler turns it
 * into `{"error":{"code","message","details?"}}` with its HTTP status; the
 * message is written for the person who will read it.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly httpStatus: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

interface FieldIssue {
  field: string;
  message: string;
}

function fieldIssues(err: { validation: readonly { instancePath: string; message?: string }[] }, where: string): FieldIssue[] {
  return err.validation.map((v) => {
    const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
    return { field: path ? `${where}.${path}` : where, message: v.message ?? 'invalid value' };
  });
}

/** Maps a thrown error to a status and body; never exposes internals of an unexpected error. */
export function toErrorResponse(error: unknown): { status: number; body: ReturnType<typeof errorBody>; unexpected: boolean } {
  if (error instanceof AppError) {
    return { status: error.httpStatus, body: errorBody(error.code, error.message, error.details), unexpected: false };
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = (error as FastifyError).validationContext ?? 'body';
    const issues = fieldIssues(error, where);
    const first = issues[0];
    const message = first ? `${first.field}: ${first.message}` : 'the request does not match the schema';
    return { status: 400, body: errorBody('VALIDATION_ERROR', message, issues), unexpected: false };
  }
  if (typeof error === 'object' && error !== null && isResponseSerializationError(error as Error)) {
    return { status: 500, body: errorBody('INTERNAL_ERROR', 'internal error'), unexpected: true };
  }
  const fe = error as Partial<FastifyError>;
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, body: errorBody('INVALID_JSON', 'the body is not valid JSON'), unexpected: false };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, body: errorBody('INVALID_JSON', 'the body is empty but content-type says JSON'), unexpected: false };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, body: errorBody('INVALID_JSON', 'send the body as JSON with content-type: application/json'), unexpected: false };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, body: errorBody('PAYLOAD_TOO_LARGE', 'the request body is too large'), unexpected: false };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, body: errorBody('VALIDATION_ERROR', 'content-length does not match the body'), unexpected: false };
  }
  if (fe.statusCode === 413) {
    return { status: 413, body: errorBody('PAYLOAD_TOO_LARGE', 'the request body is too large'), unexpected: false };
  }
  if (fe.statusCode === 429) {
    return { status: 429, body: errorBody('RATE_LIMITED', 'too many requests; slow down and retry later'), unexpected: false };
  }
  if (error instanceof SyntaxError && fe.statusCode === 400) {
    return { status: 400, body: errorBody('INVALID_JSON', 'the body is not valid JSON'), unexpected: false };
  }
  // Other client errors Fastify raises itself (bad URL encoding, …) keep their status
  // but not their internal wording.
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, body: errorBody('VALIDATION_ERROR', 'the request is malformed'), unexpected: false };
  }
  return { status: 500, body: errorBody('INTERNAL_ERROR', 'internal error; the request id in the logs says more'), unexpected: true };
}

export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, body, unexpected } = toErrorResponse(error);
  if (unexpected) request.log.error({ err: error }, 'unexpected error');
  else if (status >= 500) request.log.error({ err: error, code: body.error.code }, body.error.message);
  else request.log.info({ code: body.error.code, status }, body.error.message);
  return reply.code(status).send(body);
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.code(404).send(errorBody('NOT_FOUND', `no route for ${request.method} ${request.url.split('?')[0]}`));
}
