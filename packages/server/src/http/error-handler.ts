import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ApiError, badRequest, invalid, notFound } from './errors.js';
import { describeIssue, type SchemaIssue } from './field-path.js';

/** The path of a JSON pointer (lossy for keys holding "/": routes with such maps check bodies themselves). */
function pathOf(instancePath: string): (string | number)[] {
  return instancePath
    .split('/')
    .slice(1)
    .filter((p, i, all) => !(p === '' && all.length === 1))
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

/** Every error leaves as {code, reason, message, field?}: schema violations 422, bad JSON 400, too large 413. */
export function toApiError(err: FastifyError | ApiError | Error): ApiError {
  if (err instanceof ApiError) return err;
  if (hasZodFastifySchemaValidationErrors(err)) {
    const first = err.validation[0];
    const context = (err as { validationContext?: string }).validationContext;
    const params = (first?.params ?? {}) as Pick<SchemaIssue, 'keys' | 'issues'>;
    const { field, message } = describeIssue({
      path: pathOf(first?.instancePath ?? ''),
      code: first?.keyword,
      message: first?.message,
      keys: params.keys,
      issues: params.issues,
    });
    if (context === 'body') return invalid(message, field);
    return badRequest(
      field ? message : `${context ?? 'request'}: ${first?.message ?? 'invalid'}`,
      field ?? context,
    );
  }
  const code = (err as FastifyError).code;
  const status = (err as FastifyError).statusCode;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return new ApiError(413, 'RequestEntityTooLarge', 'the request body is over 1 MiB');
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new ApiError(415, 'UnsupportedMediaType', 'send application/json');
  }
  if (
    err instanceof SyntaxError ||
    code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    code?.startsWith('FST_ERR_CTP')
  ) {
    return badRequest(`the body is not valid JSON: ${err.message}`);
  }
  if (status && status >= 400 && status < 500) return new ApiError(status, 'BadRequest', err.message);
  return new ApiError(500, 'InternalError', 'internal error (see the server log for the request id)');
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(async (err: FastifyError, req, reply) => {
    const e = toApiError(err);
    // A 503 the server chose (cluster down, no agent yet) is a state, not a fault: no stack.
    if (e.status === 503 && err instanceof ApiError)
      req.log.warn({ reason: e.message }, 'request refused: unavailable');
    else if (e.status >= 500) req.log.error({ err }, 'request failed');
    req.errorReason = e.reason;
    reply.code(e.status).type('application/json');
    return e.body();
  });
  app.setNotFoundHandler(async (req, reply) => {
    const e = notFound(`no route ${req.method} ${req.url.split('?')[0]}`);
    req.errorReason = e.reason;
    reply.code(404);
    return e.body();
  });
}
