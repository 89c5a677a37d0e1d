import '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Access } from '../authz/access.js';
import type { PlatformCache } from '../cache/platform-cache.js';
import { forbidden, unauthorized } from '../http/errors.js';
import type { Caller } from '../http/context.js';
import { foreignOrigin } from '../http/origin.js';
import type { Credential, CredentialStore } from './credentials.js';
import { LiveConnections } from './live-connections.js';

export const sessionCookie = 'shipyard_session';
export const csrfHeader = 'x-csrf-token';
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module '../http/context.js' {
  interface Caller {
    /** The session or token the caller signed in with. */
    credential: Credential;
  }
}

export type AuthDeps = { credentials: CredentialStore; cache: PlatformCache; access: Access };

/** The caller of a request from its bearer token or session cookie, or an ApiError (401, or 403 for CSRF). */
export async function authenticate(req: FastifyRequest, deps: AuthDeps): Promise<Caller> {
  const header = req.headers.authorization;
  const bearer = bearerOf(req);
  const cookie = req.cookies[sessionCookie];
  const credential = bearer
    ? await deps.credentials.verify(bearer, 'token')
    : cookie
      ? await deps.credentials.verify(cookie, 'session')
      : undefined;
  if (!credential)
    throw unauthorized(header || cookie ? 'invalid or expired credentials' : 'authentication required');
  const user = deps.cache.get('User', credential.user);
  if (!user || user.spec.disabled) throw unauthorized('invalid or expired credentials');
  if (credential.kind === 'session' && !safeMethods.has(req.method)) {
    if (req.headers[csrfHeader] !== credential.csrf) throw forbidden('missing or wrong X-CSRF-Token header');
  }
  // A WebSocket carries the cookie but no CSRF header: it must come from a page of this server (origin.ts).
  if (credential.kind === 'session' && req.headers.upgrade) {
    const refused = foreignOrigin(req.headers);
    if (refused) throw forbidden(refused);
  }
  return { user: credential.user, groups: deps.access.principal(credential.user).groups, credential };
}

/**
 * Authenticates every route but those marked `config: { public: true }`, and closes what is open of a caller
 * whose access is revoked (live-connections.ts).
 */
export function registerAuthentication(app: FastifyInstance, deps: AuthDeps): LiveConnections {
  const live = new LiveConnections({ cache: deps.cache, access: deps.access, logger: app.log });
  app.addHook('onClose', async () => live.close());
  // Before the body is read or validated: who is not signed in learns nothing of what is wrong with it.
  app.addHook('onRequest', async (req, reply) => {
    if (req.routeOptions.config.public || !req.routeOptions.url) return;
    req.caller = await authenticate(req, deps);
    live.track(req, reply, req.caller);
  });
  return live;
}

// Routes import callerOf from http/context.ts; this stays only until the last two (mid-change elsewhere) do.
export { callerOf } from '../http/context.js';

/** The bearer token of a request, or '' (which no credential matches). */
export function bearerOf(req: FastifyRequest): string {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7).trim() : '';
}
