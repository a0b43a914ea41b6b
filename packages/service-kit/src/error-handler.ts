import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { errorBody, type ErrorBody } from '@ecg/contracts';
import { ServiceError } from './service-error.js';

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

/**
 * Maps a thrown error to a status and body. A ServiceError answers as it
 * says; a schema error names its fields; Fastify's own errors get ECG's
 * codes in ECG's words (never the framework's messages, which name
 * internals); anything else is a 500 that says only "internal error".
 */
export function toErrorResponse(error: unknown): { status: number; body: ErrorBody; unexpected: boolean } {
  if (error instanceof ServiceError) {
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
  // Other client errors Fastify raises itself (bad URL encoding, …) keep their status but not their internal wording.
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, body: errorBody('VALIDATION_ERROR', 'the request is malformed'), unexpected: false };
  }
  return { status: 500, body: errorBody('INTERNAL_ERROR', 'internal error; the request id in the logs says more'), unexpected: true };
}

/** Logs an answered error at the level it deserves: a bug or a 5xx as error, a client's mistake as info. */
export function logErrorResponse(request: FastifyRequest, error: unknown, r: ReturnType<typeof toErrorResponse>): void {
  if (r.unexpected) request.log.error({ err: error }, 'unexpected error');
  else if (r.status >= 500) request.log.error({ err: error, code: r.body.error.code }, r.body.error.message);
  else request.log.info({ code: r.body.error.code, status: r.status }, r.body.error.message);
}

export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const r = toErrorResponse(error);
  logErrorResponse(request, error, r);
  return reply.code(r.status).send(r.body);
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.code(404).send(errorBody('NOT_FOUND', `no route for ${request.method} ${request.url.split('?')[0]}`));
}

/** The one error handler and not-found answer of both services. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
}
