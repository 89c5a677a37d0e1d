import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { kinds } from '@shipyard/api';
import { beginAudit } from '../audit/audit.hooks.js';
import type { AuditStore } from '../audit/audit.store.js';
import type { PlatformCache } from '../cache/platform-cache.js';
import { callerOf } from '../http/context.js';
import { forbidden, notFound, tooManyRequests, unauthorized } from '../http/errors.js';
import type { PlatformObjects } from '../kube/management.js';
import { sessionCookie } from './authenticate.js';
import type { Credential, CredentialStore } from './credentials.js';
import type { LoginGuard } from './login-guard.js';
import { verifyPassword } from './passwords.js';
import type { Access } from '../authz/access.js';

export type AuthRouteDeps = {
  credentials: CredentialStore;
  cache: PlatformCache;
  access: Access;
  objects: PlatformObjects;
  audit: AuditStore;
  guard: LoginGuard;
  sessionTtlSeconds: number;
  secureCookies: boolean;
};

const login = z.object({ username: z.string().min(1).max(253), password: z.string().min(1).max(1024) });
const newToken = z.object({
  name: z.string().min(1).max(128).describe('what the token is for'),
  expiresInSeconds: z
    .number()
    .int()
    .min(1)
    .max(366 * 24 * 3600)
    .optional()
    .describe('default 90 days'),
});
const tokenParams = z.object({ id: z.string() });

const tokenView = (c: Credential) => ({
  id: c.id,
  name: c.name,
  createdAt: c.createdAt,
  expiresAt: c.expiresAt,
  lastUsedAt: c.lastUsedAt,
});
const minutes = (ms: number) => Math.max(1, Math.ceil(ms / 60_000));

/** Sign-in, sign-out, who am I, and API tokens. */
export function registerAuthRoutes(app: FastifyInstance, deps: AuthRouteDeps): void {
  app.post(
    '/api/v1/login',
    { schema: { body: login, tags: ['auth'] }, config: { public: true } },
    async (req, reply) => {
      const { username, password } = req.body as z.infer<typeof login>;
      const name = username.trim().toLowerCase();
      req.auditTarget = { verb: 'login', kind: 'User', name };
      const user = deps.cache.get('User', name);
      // The attempt counts before its password is verified: parallel guesses cannot outrun the lock.
      const attempt = deps.guard.begin(name, req.ip, user?.status ?? {});
      if (attempt.refused) {
        reply.header('retry-after', Math.ceil(attempt.waitMs / 1000));
        throw tooManyRequests(
          attempt.refused === 'address'
            ? `too many failed sign-ins from this address: try again in ${minutes(attempt.waitMs)} minute(s)`
            : `too many failed sign-ins for this account: try again in ${minutes(attempt.waitMs)} minute(s)`,
        );
      }
      const record = (status: Record<string, unknown>, what: string) =>
        user
          ? deps.objects
              .mergePatchStatus(kinds.User, name, status)
              .then(() => undefined)
              .catch((err: unknown) => req.log.warn({ err }, `could not record the ${what}`))
          : Promise.resolve();
      // Persisted before verifying too, so the other replicas count this attempt as well.
      await record({ failedLogins: attempt.failures }, 'sign-in attempt');
      let ok = false;
      try {
        const hash =
          user && !user.spec.disabled && user.spec.source === 'local'
            ? await deps.credentials.passwordHash(name)
            : undefined;
        // Verified for an unknown name too (against a decoy): the time taken does not tell which names exist.
        ok = (await verifyPassword(hash, password)) && !!user;
      } finally {
        if (!ok) {
          const { failures, lockedUntil } = attempt.fail();
          // A failure that does not lock leaves alone a lock another attempt just wrote.
          await record(
            lockedUntil
              ? { failedLogins: failures, lockedUntil: lockedUntil.toISOString() }
              : { failedLogins: failures },
            'failed sign-in',
          );
        }
      }
      if (!ok) throw unauthorized('invalid username or password');
      attempt.succeed();
      await beginAudit(req, deps.audit, { verb: 'login', kind: 'User', name });
      const { token, credential } = await deps.credentials.issue({
        kind: 'session',
        user: name,
        ttlSeconds: deps.sessionTtlSeconds,
      });
      await record({ failedLogins: 0, lockedUntil: null, lastLogin: new Date().toISOString() }, 'sign-in');
      reply.setCookie(sessionCookie, token, {
        httpOnly: true,
        sameSite: 'strict',
        // Secure over HTTPS (the TLS listener), and always when the server is behind one (secureCookies).
        secure: deps.secureCookies || req.protocol === 'https',
        path: '/',
        maxAge: deps.sessionTtlSeconds,
      });
      return { user: name, csrfToken: credential.csrf, expiresAt: credential.expiresAt };
    },
  );

  app.post('/api/v1/logout', { schema: { tags: ['auth'] } }, async (req, reply) => {
    const caller = callerOf(req);
    await beginAudit(req, deps.audit, { verb: 'logout', kind: 'User', name: caller.user });
    if (caller.credential.kind === 'session') await deps.credentials.revoke('session', caller.credential.id);
    reply.clearCookie(sessionCookie, { path: '/' });
    return { user: caller.user };
  });

  app.get('/api/v1/session', { schema: { tags: ['auth'] } }, async (req) => {
    const caller = callerOf(req);
    const user = deps.cache.get('User', caller.user);
    return {
      user: caller.user,
      displayName: user?.spec.displayName,
      groups: caller.groups,
      csrfToken: caller.credential.csrf,
      expiresAt: caller.credential.expiresAt,
      grants: deps.access.grants(caller.user).map((g) => ({ template: g.template, scope: g.scope })),
      // The tenants to work in (the console's tenant switcher), partition grants counted by their tenant.
      tenants: deps.access.tenantsOf(caller.user),
    };
  });

  app.post('/api/v1/tokens', { schema: { body: newToken, tags: ['tokens'] } }, async (req, reply) => {
    const caller = callerOf(req);
    const body = req.body as z.infer<typeof newToken>;
    await beginAudit(req, deps.audit, { verb: 'create', kind: 'Token', name: body.name });
    const { token, credential } = await deps.credentials.issue({
      kind: 'token',
      user: caller.user,
      name: body.name,
      ttlSeconds: body.expiresInSeconds ?? 90 * 24 * 3600,
    });
    reply.code(201);
    return { ...tokenView(credential), token };
  });

  app.get('/api/v1/tokens', { schema: { tags: ['tokens'] } }, async (req) => {
    const caller = callerOf(req);
    // Newest first: a token just made heads the list.
    const items = deps.credentials
      .listFor(caller.user, 'token')
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id))
      .map(tokenView);
    return { items, total: items.length };
  });

  app.delete('/api/v1/tokens/:id', { schema: { params: tokenParams, tags: ['tokens'] } }, async (req) => {
    const caller = callerOf(req);
    const { id } = req.params as z.infer<typeof tokenParams>;
    const token = await deps.credentials.get('token', id);
    if (!token) throw notFound(`token "${id}" not found`);
    if (token.user !== caller.user && !deps.access.canAtPlatform(caller.user, 'delete', 'users')) {
      throw forbidden(`token "${id}" is not yours`);
    }
    await beginAudit(req, deps.audit, { verb: 'delete', kind: 'Token', name: token.name ?? id });
    await deps.credentials.revoke('token', id);
    return tokenView(token);
  });
}
