import type { FastifyInstance } from 'fastify';
import type { ErrorBody, OpenAiErrorBody } from '@ecg/contracts';
import { ServiceError, toErrorResponse } from '@ecg/service-kit';

/**
 * The request field an error is about (OpenAI's `param`). Routes name it in
 * the ServiceError's details; a schema error names its field itself.
 */
function paramOf(body: ErrorBody): string | null {
  const details = body.error.details;
  if (details && typeof details === 'object' && 'param' in details && typeof details.param === 'string') return details.param;
  if (Array.isArray(details)) {
    const field = (details[0] as { field?: unknown } | undefined)?.field;
    if (typeof field === 'string') return field.replace(/^(body|querystring|params)\.?/, '') || null;
  }
  return null;
}

/** OpenAI's error types, as its API sends them: the client shows them, tools branch on status and code. */
function typeFor(status: number): string {
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** ECG's error body in OpenAI's envelope; ECG's stable code goes in `code`. */
export function toOpenAiError(status: number, body: ErrorBody): OpenAiErrorBody {
  return { error: { message: body.error.message, type: typeFor(status), param: paramOf(body), code: body.error.code } };
}

/** A ServiceError about one request field, which OpenAI's envelope names as `param`. */
export function fieldError(param: string, code: ConstructorParameters<typeof ServiceError>[0], status: number, message: string): ServiceError {
  return new ServiceError(code, message, { status, details: { param } });
}

/**
 * Makes every error inside this scope (the `/v1` routes) answer in OpenAI's
 * envelope, with the status and code ECG's handler would have given: the
 * official client reads `error.message`, `code`, `param` and `type` from it.
 */
export function installOpenAiErrors(scope: FastifyInstance): void {
  scope.setErrorHandler((error, request, reply) => {
    const { status, body, unexpected } = toErrorResponse(error);
    if (unexpected) request.log.error({ err: error }, 'unexpected error');
    else if (status >= 500) request.log.error({ err: error, code: body.error.code }, body.error.message);
    else request.log.info({ code: body.error.code, status }, body.error.message);
    return reply.code(status).send(toOpenAiError(status, body));
  });
  scope.setNotFoundHandler((request, reply) =>
    reply.code(404).send(
      toOpenAiError(404, { error: { code: 'NOT_FOUND', message: `no route for ${request.method} ${request.url.split('?')[0]}` } }),
    ),
  );
}

