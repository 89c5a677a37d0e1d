import type { FastifyInstance } from 'fastify';

/**
 * fastify's JSON parser, except that a DELETE may come with `content-type: application/json` and no body at
 * all (as some clients send it): that is no body, not a 400.
 */
export function registerJsonBody(app: FastifyInstance): void {
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = body.toString();
    if (req.method === 'DELETE' && text.trim() === '') {
      done(null, undefined);
      return;
    }
    json(req, text, done);
  });
}
