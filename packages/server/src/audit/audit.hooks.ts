import type { FastifyInstance, FastifyRequest } from 'fastify';
import { unavailable } from '../http/errors.js';
import type { AuditTarget } from '../http/context.js';
import type { AuditEntry, AuditStore } from './audit.store.js';

const mutating = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function entry(req: FastifyRequest, target: AuditTarget): AuditEntry {
  return {
    user: req.caller?.user ?? target.name ?? 'anonymous',
    groups: req.caller?.groups ?? [],
    sourceIp: req.ip,
    userAgent: req.headers['user-agent'],
    verb: target.verb,
    kind: target.kind,
    name: target.name,
    namespace: target.namespace,
    cluster: target.cluster,
    requestId: String(req.id),
  };
}

/**
 * A password is write-only: the stored object never holds it, so comparing the old object with the new one
 * cannot see it change. An update whose body sets `spec.password` changed it: its path is recorded (never
 * its value, nor its hash).
 */
function withWriteOnly(changes: string[], body: unknown): string[] {
  const spec = body && typeof body === 'object' ? (body as { spec?: unknown }).spec : undefined;
  const setsPassword =
    !!spec && typeof spec === 'object' && typeof (spec as { password?: unknown }).password === 'string';
  return setsPassword && !changes.includes('spec.password') ? [...changes, 'spec.password'].sort() : changes;
}

/**
 * Writes the audit record of a mutation before it runs: if the audit log cannot be written, the request
 * is refused (503) and nothing changes. The outcome is filled in when the reply goes out. A request that
 * retries its write (a PATCH re-applied after a conflict) keeps its one pending record.
 */
export async function beginAudit(req: FastifyRequest, store: AuditStore, target: AuditTarget): Promise<void> {
  req.auditTarget = target.changes ? { ...target, changes: withWriteOnly(target.changes, req.body) } : target;
  if (req.auditId !== undefined) return;
  try {
    req.auditId = await store.begin(entry(req, target));
  } catch (err) {
    req.log.error({ err }, 'audit log unavailable');
    throw unavailable('the audit log cannot be written; nothing was changed');
  }
}

/** The audit verb of an HTTP method. */
export function verbOf(method: string): string {
  return { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' }[method] ?? method.toLowerCase();
}

/** Completes begun records, and records every denied (401/403) or failed mutating request that began none. */
export function registerAuditHooks(app: FastifyInstance, store: AuditStore): void {
  app.addHook('onSend', async (req, reply, payload) => {
    const outcome = reply.statusCode;
    if (req.auditId !== undefined) {
      await store
        .complete(req.auditId, { outcome, reason: req.errorReason, changes: req.auditTarget?.changes })
        .catch((err: unknown) => req.log.error({ err, auditId: req.auditId }, 'audit record not completed'));
      return payload;
    }
    const denied = outcome === 401 || outcome === 403;
    if (denied || (mutating.has(req.method) && outcome >= 400 && req.routeOptions.url)) {
      const target = req.auditTarget ?? { verb: verbOf(req.method), kind: req.routeOptions.url ?? req.url };
      await store
        .record({ ...entry(req, target), outcome, reason: req.errorReason })
        .catch((err: unknown) => req.log.error({ err }, 'audit record not written'));
    }
    return payload;
  });
}
