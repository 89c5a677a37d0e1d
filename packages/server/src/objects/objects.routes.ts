import { kindList, objectSchema, type KindDef, type KindName, type PlatformObject } from '@shipyard/api';
import type { FastifyInstance, FastifyRequest, FastifySchema, FastifySchemaCompiler } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { beginAudit } from '../audit/audit.hooks.js';
import type { AuditStore } from '../audit/audit.store.js';
import { changedFields } from '../audit/changes.js';
import { callerOf } from '../auth/authenticate.js';
import type { Verb } from '../authz/access.js';
import { pageSorted, QueryError } from '../cache/query.js';
import type { SortedLists } from '../cache/sorted-lists.js';
import { alreadyExists, badRequest, conflict, forbidden, invalid, notFound } from '../http/errors.js';
import { retryOnConflict } from '../runtime/conflict-retry.js';
import { kindHooks, type HookDeps, type KindHooks, type Op } from './kind-hooks.js';
import { mergePatch, parseObject, present } from './validate.js';

export type ObjectRouteDeps = HookDeps & { audit: AuditStore; sorted: SortedLists };

const listQuery = z.object({
  filter: z.string().optional().describe('terms: path=value, path!=value, path~text, or text'),
  labelSelector: z.string().optional(),
  sort: z.string().optional().describe('paths, - for descending: -metadata.creationTimestamp'),
  page: z.coerce.number().int().optional(),
  pageSize: z.coerce.number().int().optional(),
});
const nameParams = z.object({ name: z.string() });
const deleteQuery = z.object({
  cascade: z
    .enum(['true', 'false'])
    .optional()
    .describe("also delete what depends on the object (a tenant's partitions), each as the caller"),
});

type Obj = PlatformObject<KindName>;

/**
 * A body is checked by parseObject (in write), which names a bad or unknown field by its exact path (a label
 * key holds "/" and "."); its schema stays on the route for the OpenAPI document. The rest as everywhere.
 */
const bodyInWrite: FastifySchemaCompiler<FastifySchema> = (route) =>
  route.httpPart === 'body'
    ? (data) => ({ value: data })
    : validatorCompiler({ ...route, schema: route.schema as z.ZodType });

/** The generic REST surface of every platform kind: /api/v1/<plural>[/<name>], shaped like the CRD. */
export function registerObjectRoutes(app: FastifyInstance, deps: ObjectRouteDeps): void {
  for (const d of kindList) registerKind(app, d, deps);
}

function registerKind(app: FastifyInstance, d: KindDef, deps: ObjectRouteDeps): void {
  const kind = d.kind as KindName;
  const hooks = (kindHooks[kind] ?? {}) as KindHooks<KindName>;
  const base = `/api/v1/${d.plural}`;
  const tags = [d.plural];
  const body = objectSchema(d, 'input');

  const authorize = (req: FastifyRequest, verb: Verb, obj: Obj) => {
    const caller = callerOf(req);
    // A refusal is recorded against the object it concerns (not just the route).
    req.auditTarget ??= { verb, kind: d.kind, name: obj.metadata.name };
    if (!deps.access.can(caller.user, verb, d.plural, kind, obj)) {
      throw forbidden(`${caller.user} may not ${verb} ${d.singular} "${obj.metadata.name}"`);
    }
  };
  const cached = (name: string): Obj => {
    const obj = deps.cache.get(kind, name);
    if (!obj) throw notFound(`${d.singular} "${name}" not found`);
    return obj;
  };

  app.get(base, { schema: { querystring: listQuery, tags } }, async (req) => {
    const caller = callerOf(req);
    try {
      const q = req.query as z.infer<typeof listQuery>;
      // Who may list the kind at the platform level sees all of it: no check per object.
      const everything = deps.access.canAtPlatform(caller.user, 'list', d.plural);
      const visible = everything
        ? undefined
        : (o: Obj) => deps.access.can(caller.user, 'list', d.plural, kind, o);
      const result = pageSorted(deps.sorted.get(kind, q.sort), q, visible);
      return { ...result, items: result.items.map(present) };
    } catch (err) {
      if (err instanceof QueryError) throw badRequest(err.message, err.field);
      throw err;
    }
  });

  app.get(`${base}/:name`, { schema: { params: nameParams, tags } }, async (req) => {
    const obj = cached((req.params as { name: string }).name);
    authorize(req, 'get', obj);
    return present(obj);
  });

  /** Validates, authorizes, audits and writes a create or an update. */
  async function write(req: FastifyRequest, op: Op, raw: unknown, old?: Obj): Promise<Obj> {
    const caller = callerOf(req);
    const obj = parseObject<KindName>(d, raw);
    if (old) {
      if (obj.metadata.name !== old.metadata.name) {
        throw invalid(`metadata.name must be "${old.metadata.name}"`, 'metadata.name');
      }
      const locked = hooks.readOnly?.(old);
      if (locked) throw conflict(`${locked}: it cannot be changed`);
      authorize(req, 'update', old);
      obj.metadata.resourceVersion ??= old.metadata.resourceVersion;
      // Finalizers belong to controllers, not to the API's clients: an update keeps them.
      if (old.metadata.finalizers) obj.metadata.finalizers = old.metadata.finalizers;
    } else if (deps.cache.get(kind, obj.metadata.name)) {
      throw alreadyExists(`${d.singular} "${obj.metadata.name}" already exists`);
    }
    authorize(req, op, obj);
    const ctx = { op, caller, obj, old, raw, log: req.log };
    hooks.validate?.(ctx, deps);
    const prepared = await hooks.prepare?.(ctx, deps);
    let written: Obj;
    try {
      await beginAudit(req, deps.audit, {
        verb: op,
        kind: d.kind,
        name: obj.metadata.name,
        changes: old ? changedFields(old, obj) : undefined,
      });
      written = (
        old ? await deps.objects.replace(d, obj.metadata.name, obj) : await deps.objects.create(d, obj)
      ) as Obj;
    } catch (err) {
      // What prepare reserved goes back; if even that fails, the leader's repair takes it back later.
      await prepared
        ?.rollback?.()
        .catch((rollbackErr: unknown) =>
          req.log.error(
            { err: rollbackErr, kind, name: obj.metadata.name },
            'rollback after a failed write failed',
          ),
        );
      throw err;
    }
    await prepared?.commit?.();
    return present(written);
  }

  app.post(base, { schema: { body, tags }, validatorCompiler: bodyInWrite }, async (req, reply) => {
    reply.code(201);
    return write(req, 'create', req.body);
  });

  const put = { schema: { params: nameParams, body, tags }, validatorCompiler: bodyInWrite };
  app.put(`${base}/:name`, put, async (req) => {
    const name = (req.params as { name: string }).name;
    const old = (await deps.objects.get(d, name)) as Obj;
    return write(req, 'update', req.body, old);
  });

  app.patch(
    `${base}/:name`,
    { schema: { params: nameParams, tags, description: 'JSON merge patch (RFC 7396)' } },
    async (req) => {
      const name = (req.params as { name: string }).name;
      if (!req.body || typeof req.body !== 'object') throw badRequest('a merge patch must be a JSON object');
      // A patch that names no resourceVersion applies to whatever is current: when a controller's status write
      // lands between our read and our write (409), read again and re-apply it, a few times.
      const pinned = (req.body as { metadata?: { resourceVersion?: unknown } }).metadata?.resourceVersion;
      return retryOnConflict(
        async () => {
          const old = (await deps.objects.get(d, name)) as Obj;
          return write(req, 'update', mergePatch(old, req.body) as Obj, old);
        },
        { attempts: pinned === undefined ? 5 : 1 },
      );
    },
  );

  app.delete(
    `${base}/:name`,
    { schema: { params: nameParams, querystring: deleteQuery, tags } },
    async (req) => {
      const old = cached((req.params as { name: string }).name);
      authorize(req, 'delete', old);
      const locked = hooks.readOnly?.(old);
      if (locked) throw conflict(`${locked}: it cannot be deleted`);
      await beginAudit(req, deps.audit, { verb: 'delete', kind: d.kind, name: old.metadata.name });
      const cascade = (req.query as z.infer<typeof deleteQuery>).cascade === 'true';
      const precondition = await hooks.beforeDelete?.(
        { caller: callerOf(req), obj: old, cascade, log: req.log },
        deps,
      );
      await deps.objects.delete(d, old.metadata.name, precondition ?? {});
      await hooks.afterDelete?.(old, deps);
      return present(old);
    },
  );
}
