import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ERROR_HTTP_STATUS, ErrorCode } from '@ecg/contracts';
import { installErrorHandling, installRequestIds, REQUEST_ID_HEADER, requestIdFor, ServiceError, toErrorResponse } from '../src/index.js';

describe('one error model', () => {
  it('gives every error code a status, and ServiceError takes it from the table unless told otherwise', () => {
    for (const code of ErrorCode.options) {
      const status = ERROR_HTTP_STATUS[code];
      assert.ok(Number.isInteger(status) && status >= 400 && status <= 599, `${code} → ${status}`);
      assert.equal(new ServiceError(code, 'x').httpStatus, status, code);
    }
    assert.equal(new ServiceError('DOWNLOAD_ERROR', 'the download timed out', { status: 504 }).httpStatus, 504);
    assert.deepEqual(toErrorResponse(new ServiceError('JOB_NOT_FOUND', 'no job x', { details: { id: 'x' } })), {
      status: 404,
      body: { error: { code: 'JOB_NOT_FOUND', message: 'no job x', details: { id: 'x' } } },
      unexpected: false,
    });
  });

  it('answers framework errors with ECG codes in its own words, and hides unexpected errors', async () => {
    const app = Fastify().withTypeProvider<ZodTypeProvider>();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    installErrorHandling(app);
    installRequestIds(app);
    app.post('/thing', { schema: { body: z.object({ n: z.number() }) } }, async () => ({ ok: true }));
    app.get('/boom', async () => {
      throw new Error('secret internals at /srv/db');
    });
    app.get('/coded', async () => {
      throw new ServiceError('STORAGE_UNAVAILABLE', 'storage is not available; try again shortly');
    });
    const badJson = await app.inject({ method: 'POST', url: '/thing', headers: { 'content-type': 'application/json' }, payload: '{nope' });
    assert.equal(badJson.statusCode, 400);
    assert.deepEqual(badJson.json(), { error: { code: 'INVALID_JSON', message: 'the body is not valid JSON' } });
    const invalid = await app.inject({ method: 'POST', url: '/thing', payload: { n: 'one' } });
    assert.equal(invalid.statusCode, 400);
    assert.equal(invalid.json<{ error: { code: string } }>().error.code, 'VALIDATION_ERROR');
    const boom = await app.inject({ method: 'GET', url: '/boom' });
    assert.equal(boom.statusCode, 500);
    assert.ok(!boom.body.includes('secret internals'), boom.body);
    const coded = await app.inject({ method: 'GET', url: '/coded' });
    assert.equal(coded.statusCode, 503);
    const missing = await app.inject({ method: 'GET', url: '/nowhere?token=abc' });
    assert.deepEqual(missing.json(), { error: { code: 'NOT_FOUND', message: 'no route for GET /nowhere' } });
    assert.ok(missing.headers[REQUEST_ID_HEADER], 'every answer carries its request id');
    await app.close();
  });

  it('keeps a sane incoming request id and replaces one that could forge log lines', () => {
    assert.equal(requestIdFor({ headers: { [REQUEST_ID_HEADER]: 'abc-123' } }), 'abc-123');
    assert.notEqual(requestIdFor({ headers: { [REQUEST_ID_HEADER]: 'evil\nline' } }), 'evil\nline');
    assert.match(requestIdFor({ headers: {} }), /^[0-9a-f-]{36}$/);
  });
});
