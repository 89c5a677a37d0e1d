/**
 * What pino blanks out of every log line of the server (fastify's request logger and the components' logger):
 * credentials in headers (Authorization, Cookie, Set-Cookie, X-CSRF-Token; Impersonate-* headers name users,
 * not secrets, and stay), and fields named like a password, token or key, at the top of a line's object or one
 * level down (`{ body: { password } }`). Fastify logs no headers nor bodies by default; this holds if someone
 * logs a request, an upstream's headers or an error that carries them.
 */
const headers = ['authorization', 'cookie', '["set-cookie"]', '["x-csrf-token"]', '["proxy-authorization"]'];
const fields = ['password', 'token', 'secret', 'csrfToken', 'privateKey'];

export const logRedaction = {
  paths: [
    ...headers.flatMap((h) => {
      const at = h.startsWith('[') ? h : `.${h}`;
      return [`req.headers${at}`, `res.headers${at}`, `headers${at}`, `*.headers${at}`];
    }),
    ...fields.flatMap((f) => [f, `*.${f}`]),
  ],
  censor: '[redacted]',
};
