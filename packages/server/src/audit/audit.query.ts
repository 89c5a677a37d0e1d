import { and, eq, gte, isNull, lt, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { AuditQueryError } from './errors.js';
import { auditEvents } from './schema.js';

/** A range of HTTP statuses [min, max), an exact one, or the records still running. */
export type OutcomeFilter = { min: number; max: number } | { exact: number } | { pending: true };

const outcomeClasses: Record<string, OutcomeFilter> = {
  '1xx': { min: 100, max: 200 },
  '2xx': { min: 200, max: 300 },
  '3xx': { min: 300, max: 400 },
  '4xx': { min: 400, max: 500 },
  '5xx': { min: 500, max: 600 },
  success: { min: 100, max: 400 },
  failure: { min: 400, max: 600 },
  pending: { pending: true },
};

/**
 * `403` (or `"403"`): that status; `2xx`…`5xx`: that class; `success`: below 400; `failure`: 400 and
 * above; `pending`: begun but not completed. Records still pending match no status filter.
 */
export function parseOutcomeFilter(value: string | number): OutcomeFilter | undefined {
  const text = String(value).trim().toLowerCase();
  if (/^[1-5][0-9][0-9]$/.test(text)) return { exact: Number(text) };
  return outcomeClasses[text];
}

const filterText = z.string().trim().min(1).max(512).optional();

/** The audit query, as `GET /api/v1/audit` takes it: strings from a query string are coerced. */
export const auditQuerySchema = z.object({
  user: filterText,
  kind: filterText,
  verb: filterText,
  cluster: filterText,
  outcome: z
    .union([z.number(), z.string()])
    .transform((value, ctx) => {
      const filter = parseOutcomeFilter(value);
      if (filter === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: 'expected an HTTP status (403), a class (2xx, 4xx, 5xx), success, failure or pending',
        });
        return z.NEVER;
      }
      return filter;
    })
    .optional(),
  /** Inclusive. */
  since: z.coerce.date<Date | string>().optional(),
  /** Exclusive. */
  until: z.coerce.date<Date | string>().optional(),
  /** 1-based. */
  page: z.coerce.number<number | string>().int().min(1).default(1),
  pageSize: z.coerce.number<number | string>().int().min(1).max(1000).default(50),
});

export type AuditQuery = z.input<typeof auditQuerySchema>;
export type ParsedAuditQuery = z.output<typeof auditQuerySchema>;

/** Validates a query; throws AuditQueryError naming the first wrong field. */
export function parseAuditQuery(query: AuditQuery): ParsedAuditQuery {
  const parsed = auditQuerySchema.safeParse(query);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join('.') ?? '';
  throw new AuditQueryError(`audit query ${field}: ${issue?.message ?? 'invalid'}`, field);
}

function outcomeCondition(filter: OutcomeFilter): SQL | undefined {
  if ('pending' in filter) return isNull(auditEvents.outcome);
  if ('exact' in filter) return eq(auditEvents.outcome, filter.exact);
  return and(gte(auditEvents.outcome, filter.min), lt(auditEvents.outcome, filter.max));
}

/** The WHERE clause of a query; every part of it is served by an index of migrations.ts. */
export function auditWhere(query: ParsedAuditQuery): SQL | undefined {
  return and(
    query.user === undefined ? undefined : eq(auditEvents.user, query.user),
    query.kind === undefined ? undefined : eq(auditEvents.kind, query.kind),
    query.verb === undefined ? undefined : eq(auditEvents.verb, query.verb),
    query.cluster === undefined ? undefined : eq(auditEvents.cluster, query.cluster),
    query.outcome === undefined ? undefined : outcomeCondition(query.outcome),
    query.since === undefined ? undefined : gte(auditEvents.time, query.since),
    query.until === undefined ? undefined : lt(auditEvents.time, query.until),
  );
}
