import type { FastifyInstance } from 'fastify';
import { ServiceError } from '@ecg/service-kit';

/*
 * U+0000 in a JSON string is valid JSON, but PostgreSQL's jsonb and text
 * refuse it ("unsupported Unicode escape sequence"), which turned a caption or
 * result holding one into a 500. No caption, file name or transcript needs
 * it, so bodies holding one are refused at the edge with VALIDATION_ERROR.
 * JSON text cannot hold a raw NUL (control characters must be escaped), so
 * the escape is the only way in: `\u0000` preceded by an even number of
 * backslashes (an odd number means the backslash itself was escaped).
 */
const NUL_ESCAPE = /(?<!\\)(?:\\\\)*\\u0000/;

export function containsNulEscape(jsonText: string): boolean {
  return jsonText.includes('\\u0000') && NUL_ESCAPE.test(jsonText);
}

export function nulRefusal(): ServiceError {
  return new ServiceError('VALIDATION_ERROR', 'the body contains a NUL character (U+0000), which no field accepts');
}

/**
 * Replaces the app's JSON parser with Fastify's own (prototype-poisoning
 * protection included) behind the NUL check. Plugins that parse JSON
 * themselves (the signed result callback) call `containsNulEscape` too.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (containsNulEscape(text)) return done(nulRefusal(), undefined);
    // Fastify's parser answers through `done`; what it returns carries nothing.
    void parseJson(request, text, done);
  });
}
